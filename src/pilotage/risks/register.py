"""The risk register: the probability and impact scales, the RAID settings, risks with their
response actions and assessments, the heat map, the trend, the top risks, escalation and the
expected monetary value.

Rules a PMO relies on:

- A risk is scored on the organisation's scales twice: inherent (probability × impact before
  any response) and residual (after the planned responses: never higher than inherent for a
  threat, never lower for an opportunity, whose responses exploit or enhance it). Its RAG
  colour comes from the current score (residual once assessed, else inherent) and the
  amber/red thresholds of the settings.
- Its expected monetary value (EMV) is its probability (its own percentage, else the
  representative percentage of its probability level) times its cost impact; an opportunity's
  is negative, a gain.
- Every create or update that changes a risk's status, kind, scores, probability percentage or
  cost impact, and every review, writes a :class:`~pilotage.risks.models.RiskAssessment`: the
  history behind the trend.
- Whoever may change a project (CHANGE) records and changes its risks and their actions;
  deleting a risk takes DELETE (PMO, portfolio manager, administrator); the owner of an action
  may mark it done or cancelled. The scales and settings are the organisation's: only an
  administrator or someone holding the PMO role organisation-wide changes them.
- :func:`raid_escalate` raises any RAID item from its project to the programme (when the
  project is in one) or the portfolio, and brings it back down; bringing it down takes CHANGE
  on the level it was raised to.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop, ngettext

from pilotage.accounts.models import Role
from pilotage.accounts.permissions import (
    Action,
    can,
    can_view,
    get_for_user,
    grants_for,
    require,
    visible,
)
from pilotage.core import audit
from pilotage.core.errors import ForbiddenError, NotFoundError
from pilotage.core.search import search_filter
from pilotage.core.services import (
    acting_user,
    check_fields,
    create_audited,
    delete_audited,
    proposed_change,
    update_audited,
    validate,
)
from pilotage.planning.models import Task
from pilotage.portfolio.models import Portfolio, Programme, Project
from pilotage.portfolio.selectors import project_people
from pilotage.risks.models import (
    LEVEL_ORDER,
    OPEN_ISSUE_STATUSES,
    OPEN_RISK_STATUSES,
    OPPORTUNITY_RESPONSES,
    THREAT_RESPONSES,
    Assumption,
    AssumptionStatus,
    ChangeRequest,
    ChangeRequestStatus,
    EscalationLevel,
    Issue,
    RaidScoped,
    Risk,
    RiskAction,
    RiskActionStatus,
    RiskAssessment,
    RiskKind,
    RiskScaleLevel,
    RiskSettings,
    RiskStatus,
    ScaleKind,
)

__all__ = [
    "ACTION_FIELDS",
    "RISK_FIELDS",
    "RISK_ORDERINGS",
    "SETTINGS_FIELDS",
    "HeatMap",
    "HeatMapCell",
    "RaidOverview",
    "RiskScales",
    "TrendWeek",
    "may_manage_scales",
    "project_people",
    "rag_for",
    "raid_escalate",
    "raid_escalated",
    "raid_next_code",
    "raid_overview",
    "risk_action_cancel",
    "risk_action_complete",
    "risk_action_create",
    "risk_action_delete",
    "risk_action_get_for_user",
    "risk_action_list",
    "risk_action_reopen",
    "risk_action_update",
    "risk_assessments",
    "risk_close",
    "risk_create",
    "risk_delete",
    "risk_expected_value",
    "risk_get_for_user",
    "risk_heat_map",
    "risk_list",
    "risk_reopen",
    "risk_review",
    "risk_reviews_overdue",
    "risk_scale_update",
    "risk_scales",
    "risk_settings",
    "risk_settings_update",
    "risk_top",
    "risk_trend",
    "risk_update",
]

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
RISK_CODE_PREFIX = "R-"
MIN_LEVELS = 3
MAX_LEVELS = 9
SOON_DAYS = 14

RISK_FIELDS = (
    "code",
    "title",
    "description",
    "owner",
    "kind",
    "category",
    "status",
    "cause",
    "event",
    "effect",
    "probability",
    "impact",
    "residual_probability",
    "residual_impact",
    "probability_percent",
    "cost_impact",
    "schedule_impact_min_days",
    "schedule_impact_likely_days",
    "schedule_impact_max_days",
    "tasks",
    "proximity",
    "trigger",
    "response",
    "response_plan",
    "review_date",
)
# A change to one of these is a new assessment of the risk (a point of its trend).
ASSESSED_FIELDS = (
    "status",
    "kind",
    "probability",
    "impact",
    "residual_probability",
    "residual_impact",
    "probability_percent",
    "cost_impact",
)
ACTION_FIELDS = ("description", "owner", "due_date")
SETTINGS_FIELDS = (
    "amber_score",
    "red_score",
    "review_interval_days",
    "programme_cost_threshold",
    "portfolio_cost_threshold",
    "programme_days_threshold",
    "portfolio_days_threshold",
)
LEVEL_FIELDS = (
    "level",
    "name",
    "description",
    "probability_percent",
    "schedule_days",
    "cost",
    "quality",
    "reputation",
)

ModelT = TypeVar("ModelT", bound=models.Model)


def _forbid() -> None:
    raise ForbiddenError(gettext("You do not have permission to do this."))


# Scales ---------------------------------------------------------------------------------------

# The default 5 × 5 scales. Names and definitions are marked here for the translation catalogue
# and stored in the organisation's language the first time the scales are read.
DEFAULT_PROBABILITY = (
    (gettext_noop("Rare"), gettext_noop("A chance of 10 percent or less."), Decimal(5)),
    (gettext_noop("Unlikely"), gettext_noop("A chance between 10 and 30 percent."), Decimal(20)),
    (gettext_noop("Possible"), gettext_noop("A chance between 30 and 50 percent."), Decimal(40)),
    (gettext_noop("Likely"), gettext_noop("A chance between 50 and 70 percent."), Decimal(60)),
    (
        gettext_noop("Almost certain"),
        gettext_noop("A chance of more than 70 percent."),
        Decimal(85),
    ),
)
DEFAULT_IMPACT = (
    (
        gettext_noop("Very low"),
        gettext_noop("Barely noticeable: absorbed by the plan's margins."),
        Decimal(2),
        Decimal(10_000),
        gettext_noop("No visible effect on deliverables."),
        gettext_noop("Not noticed outside the team."),
    ),
    (
        gettext_noop("Low"),
        gettext_noop("Minor: handled within the project's tolerances."),
        Decimal(5),
        Decimal(50_000),
        gettext_noop("Minor defects, fixed before delivery."),
        gettext_noop("Noticed inside the organisation only."),
    ),
    (
        gettext_noop("Medium"),
        gettext_noop("Noticeable: needs the sponsor's attention."),
        Decimal(20),
        Decimal(200_000),
        gettext_noop("Some requirements delivered late or with rework."),
        gettext_noop("Complaints from customers or partners."),
    ),
    (
        gettext_noop("High"),
        gettext_noop("Serious: objectives at risk, escalate to the programme."),
        Decimal(60),
        Decimal(1_000_000),
        gettext_noop("Key requirements not met at delivery."),
        gettext_noop("Coverage in the trade press; a key customer at risk."),
    ),
    (
        gettext_noop("Very high"),
        gettext_noop("Critical: the project's case no longer holds."),
        Decimal(120),
        Decimal(5_000_000),
        gettext_noop("The product cannot be used as intended."),
        gettext_noop("National press, regulator involved; lasting damage."),
    ),
)


@dataclass(frozen=True)
class RiskScales:
    """The organisation's probability and impact scales, each level 1..n with its meaning."""

    probability: tuple[RiskScaleLevel, ...]
    impact: tuple[RiskScaleLevel, ...]

    def levels(self, kind: str) -> tuple[RiskScaleLevel, ...]:
        return self.probability if kind == ScaleKind.PROBABILITY else self.impact

    def size(self, kind: str) -> int:
        return len(self.levels(kind))

    @property
    def max_score(self) -> int:
        return len(self.probability) * len(self.impact)

    def level(self, kind: str, number: int | None) -> RiskScaleLevel | None:
        for level in self.levels(kind):
            if level.level == number:
                return level
        return None

    def name(self, kind: str, number: int | None) -> str:
        level = self.level(kind, number)
        return level.name if level is not None else ""

    def percent(self, probability_level: int | None) -> Decimal | None:
        """The representative probability (in percent) of a probability level."""
        level = self.level(ScaleKind.PROBABILITY, probability_level)
        return level.probability_percent if level is not None else None


def _create_default_scales() -> None:
    language = django_settings.LANGUAGE_CODE
    with translation.override(language):
        rows = [
            RiskScaleLevel(
                kind=ScaleKind.PROBABILITY,
                level=number,
                name=gettext(name),
                description=gettext(description),
                probability_percent=percent,
            )
            for number, (name, description, percent) in enumerate(DEFAULT_PROBABILITY, start=1)
        ] + [
            RiskScaleLevel(
                kind=ScaleKind.IMPACT,
                level=number,
                name=gettext(name),
                description=gettext(description),
                schedule_days=days,
                cost=cost,
                quality=gettext(quality),
                reputation=gettext(reputation),
            )
            for number, (name, description, days, cost, quality, reputation) in enumerate(
                DEFAULT_IMPACT, start=1
            )
        ]
    existing = set(RiskScaleLevel.objects.values_list("kind", flat=True).distinct())
    RiskScaleLevel.objects.bulk_create([row for row in rows if row.kind not in existing])


def risk_scales() -> RiskScales:
    """The probability and impact scales, the default 5 × 5 created the first time (one query
    once they exist)."""
    levels = list(RiskScaleLevel.objects.order_by("kind", "level"))
    kinds = {level.kind for level in levels}
    if kinds != {ScaleKind.PROBABILITY, ScaleKind.IMPACT}:
        with transaction.atomic():
            _create_default_scales()
        levels = list(RiskScaleLevel.objects.order_by("kind", "level"))
    return RiskScales(
        probability=tuple(level for level in levels if level.kind == ScaleKind.PROBABILITY),
        impact=tuple(level for level in levels if level.kind == ScaleKind.IMPACT),
    )


def may_manage_scales(user: Any) -> bool:
    """Whether ``user`` may change the scales and the RAID settings: an administrator, or the
    PMO role held organisation-wide."""
    if can(user, Action.ADMINISTER):
        return True
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return Role.PMO in grants_for(user).organisation_roles


def _require_scale_manager(actor: Any) -> None:
    if not may_manage_scales(actor):
        _forbid()


def _decimal_or_none(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _check_levels(kind: str, levels: Sequence[dict[str, Any]]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(message: str) -> None:
        errors.setdefault("levels", []).append(message)

    count = len(levels)
    if not MIN_LEVELS <= count <= MAX_LEVELS:
        add(
            gettext("A scale has from %(min)d to %(max)d levels, not %(count)d.")
            % {"min": MIN_LEVELS, "max": MAX_LEVELS, "count": count}
        )
    numbers = [row.get("level") for row in levels]
    seen: set[int] = set()
    for number in numbers:
        if number in seen:
            add(gettext("Level %(level)s is given twice.") % {"level": number})
        if isinstance(number, int):
            seen.add(number)
    if not errors and sorted(seen) != list(range(1, count + 1)):
        add(
            gettext("The levels must run from 1 to %(count)d without a gap (given: %(given)s).")
            % {"count": count, "given": ", ".join(str(n) for n in sorted(seen))}
        )
    previous: Decimal | None = None
    for row in sorted(levels, key=lambda r: r.get("level") or 0):
        number = row.get("level")
        if not str(row.get("name") or "").strip():
            add(gettext("Level %(level)s has no name.") % {"level": number})
        for name in ("schedule_days", "cost"):
            value = _decimal_or_none(row.get(name))
            if value is not None and value < 0:
                add(gettext("Level %(level)s: the impact cannot be negative.") % {"level": number})
        if kind != ScaleKind.PROBABILITY:
            continue
        percent = _decimal_or_none(row.get("probability_percent"))
        if percent is None:
            add(
                gettext("Level %(level)s: give the chance it stands for, in percent.")
                % {"level": number}
            )
            continue
        if not Decimal(0) <= percent <= HUNDRED:
            add(
                gettext("Level %(level)s: a probability is between 0 and 100 %%, not %(percent)s.")
                % {"level": number, "percent": percent}
            )
        if previous is not None and percent <= previous:
            add(
                gettext(
                    "Level %(level)s: the probabilities must increase from one level to the "
                    "next (%(percent)s %% is not above %(previous)s %%)."
                )
                % {"level": number, "percent": percent, "previous": previous}
            )
        previous = percent
    return errors


def _risks_above(kind: str, count: int) -> list[str]:
    if kind == ScaleKind.PROBABILITY:
        condition = Q(probability__gt=count) | Q(residual_probability__gt=count)
    else:
        condition = Q(impact__gt=count) | Q(residual_impact__gt=count)
    return list(Risk.objects.filter(condition).order_by("code").values_list("code", flat=True))


@transaction.atomic
def risk_scale_update(
    *, actor: Any, kind: str, levels: Sequence[dict[str, Any]]
) -> tuple[RiskScaleLevel, ...]:
    """Replace the ``kind`` scale (probability or impact) as a whole.

    ``levels``: one mapping per level with ``level`` (1..n, 3 ≤ n ≤ 9), ``name`` and what it
    means (``description``; ``probability_percent`` for a probability level, increasing from
    one level to the next; ``schedule_days``, ``cost``, ``quality``, ``reputation`` for an
    impact level). A scale shorter than the levels some risks are scored at is refused, naming
    them. Nothing is saved when anything is wrong.
    """
    _require_scale_manager(actor)
    if kind not in ScaleKind.values:
        raise ValidationError({"kind": gettext("Unknown scale '%(kind)s'.") % {"kind": kind}})
    for row in levels:
        check_fields(row, LEVEL_FIELDS)
    errors = _check_levels(kind, levels)
    if not errors:
        above = _risks_above(kind, len(levels))
        if above:
            shown = ", ".join(above[:10]) + (" …" if len(above) > 10 else "")
            errors["levels"] = [
                ngettext(
                    "%(count)d risk is scored above level %(levels)d on this scale (%(codes)s): "
                    "score it again before shortening the scale.",
                    "%(count)d risks are scored above level %(levels)d on this scale (%(codes)s): "
                    "score them again before shortening the scale.",
                    len(above),
                )
                % {"count": len(above), "levels": len(levels), "codes": shown}
            ]
    if errors:
        raise ValidationError(errors)
    risk_scales()
    current = {level.level: level for level in RiskScaleLevel.objects.filter(kind=kind)}
    for number, level in sorted(current.items()):
        if number > len(levels):
            delete_audited(actor=actor, instance=level)
    for row in sorted(levels, key=lambda r: int(r["level"])):
        values = {
            "name": str(row.get("name") or "").strip(),
            "description": str(row.get("description") or "").strip(),
            "probability_percent": _decimal_or_none(row.get("probability_percent"))
            if kind == ScaleKind.PROBABILITY
            else None,
            "schedule_days": _decimal_or_none(row.get("schedule_days"))
            if kind == ScaleKind.IMPACT
            else None,
            "cost": _decimal_or_none(row.get("cost")) if kind == ScaleKind.IMPACT else None,
            "quality": str(row.get("quality") or "").strip() if kind == ScaleKind.IMPACT else "",
            "reputation": str(row.get("reputation") or "").strip()
            if kind == ScaleKind.IMPACT
            else "",
        }
        existing = current.get(int(row["level"]))
        if existing is None:
            create_audited(
                actor=actor,
                instance=RiskScaleLevel(kind=kind, level=int(row["level"]), **values),
            )
        else:
            changes = {k: v for k, v in values.items() if getattr(existing, k) != v}
            if changes:
                update_audited(actor=actor, instance=existing, changes=changes)
    return risk_scales().levels(kind)


# Settings -------------------------------------------------------------------------------------


def risk_settings() -> RiskSettings:
    """The organisation's RAID settings, created with their defaults on first use."""
    settings, _created = RiskSettings.objects.get_or_create(pk=1)
    return settings


def _check_settings(settings: RiskSettings, scales: RiskScales) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if settings.amber_score is not None and settings.amber_score < 1:
        errors["amber_score"] = [gettext("The amber threshold is a score of 1 or more.")]
    if (
        settings.amber_score is not None
        and settings.red_score is not None
        and settings.red_score <= settings.amber_score
    ):
        errors["red_score"] = [
            gettext("The red threshold (%(red)d) must be above the amber one (%(amber)d).")
            % {"red": settings.red_score, "amber": settings.amber_score}
        ]
    elif settings.red_score is not None and settings.red_score > scales.max_score:
        errors["red_score"] = [
            gettext(
                "The highest score on the scales is %(max)d: a red threshold of %(red)d would "
                "never be reached."
            )
            % {"max": scales.max_score, "red": settings.red_score}
        ]
    if settings.review_interval_days is not None and settings.review_interval_days < 1:
        errors["review_interval_days"] = [gettext("Review risks at least every day or more.")]
    pairs = (
        ("programme_cost_threshold", "portfolio_cost_threshold"),
        ("programme_days_threshold", "portfolio_days_threshold"),
    )
    for low, high in pairs:
        low_value, high_value = getattr(settings, low), getattr(settings, high)
        if low_value is not None and low_value < 0:
            errors[low] = [gettext("A threshold cannot be negative.")]
        if low_value is not None and high_value is not None and high_value < low_value:
            errors[high] = [
                gettext("The portfolio threshold cannot be below the programme threshold.")
            ]
    return errors


@transaction.atomic
def risk_settings_update(*, actor: Any, **changes: Any) -> RiskSettings:
    """Change the RAG thresholds, the review interval or the approval thresholds of change
    requests (administrators and the PMO)."""
    check_fields(changes, SETTINGS_FIELDS)
    _require_scale_manager(actor)
    settings = risk_settings()
    proposed = proposed_change(settings, changes)
    return update_audited(
        actor=actor,
        instance=settings,
        changes=changes,
        errors=_check_settings(proposed, risk_scales()),
    )


def rag_for(score: int | None, settings: RiskSettings) -> str:
    """The RAG colour of a score: ``red``, ``amber``, ``green`` (empty without a score)."""
    if score is None:
        return ""
    if score >= settings.red_score:
        return "red"
    if score >= settings.amber_score:
        return "amber"
    return "green"


# Scores and expected value --------------------------------------------------------------------


def risk_expected_value(
    risk: Risk, scales: RiskScales | None = None, *, probability: int | None = None
) -> Decimal | None:
    """The risk's expected monetary value: probability × cost impact, negative for an
    opportunity; None without a cost impact.

    The probability is the risk's own percentage, else the representative percentage of its
    probability level (``probability`` overrides the level).
    """
    if risk.cost_impact is None:
        return None
    percent = risk.probability_percent
    if percent is None:
        percent = (scales or risk_scales()).percent(probability or risk.probability)
    if percent is None:
        return None
    value = (Decimal(percent) * Decimal(risk.cost_impact) / HUNDRED).quantize(
        CENT, rounding=ROUND_HALF_UP
    )
    return -value if risk.kind == RiskKind.OPPORTUNITY else value


def _scored(queryset: QuerySet[Risk], settings: RiskSettings) -> QuerySet[Risk]:
    """Annotate each risk with ``inherent_score_value``, ``current_score_value`` (residual
    once assessed), ``emv_value``, ``rag_value`` and ``inherent_rag_value``."""
    level_percent = Subquery(
        RiskScaleLevel.objects.filter(
            kind=ScaleKind.PROBABILITY, level=OuterRef("probability")
        ).values("probability_percent")[:1]
    )
    percent = Coalesce(F("probability_percent"), level_percent)
    # SQLite stores whole decimals as integers and would divide them as integers: divide by a
    # real there; other databases compute in exact decimals.
    hundred = (
        Value(100.0, output_field=FloatField())
        if connection.vendor == "sqlite"
        else Value(HUNDRED, output_field=DecimalField())
    )
    amount = ExpressionWrapper(
        percent * F("cost_impact") / hundred,
        output_field=DecimalField(max_digits=24, decimal_places=2),
    )
    inherent = ExpressionWrapper(F("probability") * F("impact"), output_field=IntegerField())
    residual = ExpressionWrapper(
        F("residual_probability") * F("residual_impact"), output_field=IntegerField()
    )

    def rag(name: str) -> Case:
        return Case(
            When(**{f"{name}__gte": settings.red_score}, then=Value("red")),
            When(**{f"{name}__gte": settings.amber_score}, then=Value("amber")),
            default=Value("green"),
            output_field=models.CharField(),
        )

    return queryset.annotate(
        inherent_score_value=inherent,
        current_score_value=Coalesce(residual, inherent),
        emv_value=Case(
            When(kind=RiskKind.OPPORTUNITY, then=-amount),
            default=amount,
            output_field=DecimalField(max_digits=24, decimal_places=2),
        ),
    ).annotate(rag_value=rag("current_score_value"), inherent_rag_value=rag("inherent_score_value"))


# Risks: reads ---------------------------------------------------------------------------------

RISK_ORDERINGS: dict[str, tuple[str, ...]] = {
    "code": ("code",),
    "title": ("title",),
    "project": ("project__code",),
    "status": ("status",),
    "category": ("category",),
    "owner": ("owner__username",),
    "score": ("current_score_value", "emv_value"),
    "inherent": ("inherent_score_value", "emv_value"),
    "emv": ("emv_value",),
    "proximity": ("proximity",),
    "review": ("review_date",),
}
"""The sort keys of the register; ties are broken by code, ascending."""


def _risks() -> QuerySet[Risk]:
    return Risk.objects.select_related("project", "programme", "portfolio", "owner", "escalated_by")


def _in_scope(
    queryset: QuerySet[ModelT],
    *,
    project: Project | None = None,
    programme: Programme | None = None,
    portfolio: Portfolio | None = None,
) -> QuerySet[ModelT]:
    if project is not None:
        queryset = queryset.filter(project=project)
    if programme is not None:
        queryset = queryset.filter(programme=programme)
    if portfolio is not None:
        queryset = queryset.filter(portfolio=portfolio)
    return queryset


def _status_filter(status: str) -> Q:
    if status in ("", "all"):
        return Q()
    if status == "open":
        return Q(status__in=OPEN_RISK_STATUSES)
    return Q(status=status)


def risk_list(
    *,
    user: Any,
    project: Project | None = None,
    programme: Programme | None = None,
    portfolio: Portfolio | None = None,
    status: str = "",
    category: str = "",
    kind: str = "",
    owner: Any = None,
    rag: str = "",
    search: str = "",
    min_score: int | None = None,
    escalated: bool | None = None,
    probability: int | None = None,
    impact: int | None = None,
    residual: bool = False,
    ordering: str = "-score",
    settings: RiskSettings | None = None,
) -> QuerySet[Risk]:
    """The risks the user may see, filtered and sorted, each with its scores, RAG and EMV.

    ``status``: a status, ``open`` (identified or active) or empty/``all``. ``rag`` and
    ``min_score`` look at the current score (residual once assessed). ``probability`` and
    ``impact`` pick a cell of the heat map: inherent levels, or with ``residual`` the residual
    ones (the inherent ones for a risk not assessed after responses). ``ordering``: a key of
    :data:`RISK_ORDERINGS`, ``-`` in front to reverse it.
    """
    queryset = _scored(
        _in_scope(
            visible(user, _risks()), project=project, programme=programme, portfolio=portfolio
        ),
        settings or risk_settings(),
    ).filter(_status_filter(status))
    if category:
        queryset = queryset.filter(category=category)
    if kind:
        queryset = queryset.filter(kind=kind)
    if owner is not None:
        queryset = queryset.filter(owner=owner)
    if rag:
        queryset = queryset.filter(Q(rag_value=rag))
    if min_score is not None:
        queryset = queryset.filter(Q(current_score_value__gte=min_score))
    if escalated is not None:
        level_filter = Q(escalation_level=EscalationLevel.PROJECT)
        queryset = queryset.exclude(level_filter) if escalated else queryset.filter(level_filter)
    if probability is not None or impact is not None:
        if residual:
            queryset = queryset.annotate(
                cell_probability=Coalesce("residual_probability", "probability"),
                cell_impact=Coalesce("residual_impact", "impact"),
            )
        else:
            queryset = queryset.annotate(cell_probability=F("probability"), cell_impact=F("impact"))
        if probability is not None:
            queryset = queryset.filter(cell_probability=probability)
        if impact is not None:
            queryset = queryset.filter(cell_impact=impact)
    queryset = search_filter(
        queryset, search, ("code", "title", "description", "cause", "event", "effect")
    )
    descending = ordering.startswith("-")
    keys = RISK_ORDERINGS.get(ordering.lstrip("-"), RISK_ORDERINGS["score"])
    order = [
        F(key).desc(nulls_last=True) if descending else F(key).asc(nulls_last=True) for key in keys
    ]
    if keys != ("code",):
        order.append(F("code").asc())
    return queryset.order_by(*order)


def risk_get_for_user(pk: Any, *, user: Any, action: Action | str = Action.VIEW) -> Risk:
    """The risk ``pk`` with its scores, RAG and EMV, if the user may see it and do ``action``
    on it; otherwise :class:`NotFoundError` (or ``ForbiddenError`` when seen but not allowed)."""
    return get_for_user(_scored(_risks(), risk_settings()), pk, user=user, action=action)


def risk_assessments(risk: Risk) -> QuerySet[RiskAssessment]:
    """The risk's assessments, newest first."""
    return risk.assessments.select_related("assessed_by").order_by("-assessed_at", "-pk")


def risk_top(
    *,
    user: Any,
    project: Project | None = None,
    programme: Programme | None = None,
    portfolio: Portfolio | None = None,
    by: str = "residual",
    limit: int = 5,
) -> list[Risk]:
    """The open risks with the highest score (the current one, or with ``by="inherent"`` the
    inherent one), then the highest expected value."""
    ordering = "-inherent" if by == "inherent" else "-score"
    return list(
        risk_list(
            user=user,
            project=project,
            programme=programme,
            portfolio=portfolio,
            status="open",
            ordering=ordering,
        )[:limit]
    )


def risk_reviews_overdue(
    *,
    user: Any,
    project: Project | None = None,
    programme: Programme | None = None,
    portfolio: Portfolio | None = None,
    today: dt.date | None = None,
) -> QuerySet[Risk]:
    """Open risks whose next review is past (or, without a review date, that were never
    reviewed within the review interval)."""
    today = today or timezone.localdate()
    interval = dt.timedelta(days=risk_settings().review_interval_days)
    since = timezone.now() - interval
    return (
        risk_list(
            user=user,
            project=project,
            programme=programme,
            portfolio=portfolio,
            status="open",
            ordering="review",
        )
        .filter(
            Q(review_date__lt=today)
            | Q(review_date=None, reviewed_at__lt=since)
            | Q(review_date=None, reviewed_at=None, created_at__lt=since)
        )
        .order_by(F("review_date").asc(nulls_first=True), "code")
    )


# Risks: writes --------------------------------------------------------------------------------


def raid_next_code(model: type[RaidScoped], *, portfolio: Portfolio, prefix: str) -> str:
    """The next free code of a RAID kind in a portfolio: ``R-001``, ``R-002`` ..."""
    pattern = re.compile(rf"^{re.escape(prefix)}(\d+)$")
    numbers = [
        int(match.group(1))
        for code in model.objects.filter(  # type: ignore[attr-defined]
            portfolio=portfolio, code__startswith=prefix
        ).values_list("code", flat=True)
        if (match := pattern.match(code))
    ]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def _level_error(scales: RiskScales, kind: str, value: Any) -> str | None:
    size = scales.size(kind)
    if value is None or not isinstance(value, int) or not 1 <= value <= size:
        label = (
            gettext("probability scale")
            if kind == ScaleKind.PROBABILITY
            else gettext("impact scale")
        )
        return gettext("Choose a level from 1 to %(size)d of the %(scale)s.") % {
            "size": size,
            "scale": label,
        }
    return None


def _check_risk(
    risk: Risk, scales: RiskScales, tasks: Iterable[Task] | None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    for name, kind in (
        ("probability", ScaleKind.PROBABILITY),
        ("impact", ScaleKind.IMPACT),
    ):
        problem = _level_error(scales, kind, getattr(risk, name))
        if problem:
            add(name, problem)
    residual_p, residual_i = risk.residual_probability, risk.residual_impact
    if (residual_p is None) != (residual_i is None):
        missing = "residual_impact" if residual_i is None else "residual_probability"
        add(missing, gettext("Give both the residual probability and impact, or neither."))
    elif residual_p is not None and residual_i is not None:
        residual_ok = True
        for name, kind in (
            ("residual_probability", ScaleKind.PROBABILITY),
            ("residual_impact", ScaleKind.IMPACT),
        ):
            problem = _level_error(scales, kind, getattr(risk, name))
            if problem:
                add(name, problem)
                residual_ok = False
        if residual_ok and "probability" not in errors and "impact" not in errors:
            residual_score = residual_p * residual_i
            figures = {
                "rp": residual_p,
                "ri": residual_i,
                "residual": residual_score,
                "p": risk.probability,
                "i": risk.impact,
                "inherent": risk.score,
            }
            # A threat's responses lower it; an opportunity's (exploit, enhance) raise it.
            if risk.kind == RiskKind.OPPORTUNITY and residual_score < risk.score:
                add(
                    "residual_probability",
                    gettext(
                        "The residual score (%(rp)d × %(ri)d = %(residual)d) cannot be lower "
                        "than the inherent score (%(p)d × %(i)d = %(inherent)d): an "
                        "opportunity's responses are meant to raise it."
                    )
                    % figures,
                )
            elif risk.kind != RiskKind.OPPORTUNITY and residual_score > risk.score:
                add(
                    "residual_probability",
                    gettext(
                        "The residual score (%(rp)d × %(ri)d = %(residual)d) cannot be higher "
                        "than the inherent score (%(p)d × %(i)d = %(inherent)d): the responses "
                        "are meant to lower it."
                    )
                    % figures,
                )
    delays = (
        ("schedule_impact_min_days", risk.schedule_impact_min_days),
        ("schedule_impact_likely_days", risk.schedule_impact_likely_days),
        ("schedule_impact_max_days", risk.schedule_impact_max_days),
    )
    for name, value in delays:
        if value is not None and value < 0:
            add(name, gettext("A delay cannot be negative."))
    given = [(name, value) for name, value in delays if value is not None and value >= 0]
    for (_low_name, low), (high_name, high) in itertools.pairwise(given):
        if high < low:
            add(
                high_name,
                gettext(
                    "The delays must go from the lowest to the most likely to the highest "
                    "(%(high)s days is below %(low)s days)."
                )
                % {"high": high, "low": low},
            )
    if risk.cost_impact is not None and risk.cost_impact < 0:
        add(
            "cost_impact",
            gettext("Give the cost impact as a positive amount (an opportunity's is a gain)."),
        )
    if risk.response:
        allowed = THREAT_RESPONSES if risk.kind == RiskKind.THREAT else OPPORTUNITY_RESPONSES
        if risk.response not in allowed:
            message = (
                gettext("A threat's response is one of: %(allowed)s.")
                if risk.kind == RiskKind.THREAT
                else gettext("An opportunity's response is one of: %(allowed)s.")
            )
            add(
                "response",
                message % {"allowed": ", ".join(str(r.label).lower() for r in allowed)},
            )
    project = risk.project if risk.project_id else None
    owner = risk.owner if risk.owner_id else None
    if (
        owner is not None
        and project is not None
        and (not owner.is_active or not can_view(owner, project))
    ):
        add(
            "owner",
            gettext("%(user)s cannot see project %(project)s: give them a role on it first.")
            % {"user": owner.get_username(), "project": project.code},
        )
    if tasks is not None:
        foreign = [task for task in tasks if task.project_id != risk.project_id]
        if foreign:
            # Never name a task of another project: the user may not be allowed to see it.
            add(
                "tasks",
                gettext(
                    "Tasks affected: only tasks of project %(project)s can be linked "
                    "(%(count)d chosen are not)."
                )
                % {"project": project.code if project is not None else "", "count": len(foreign)},
            )
    return errors


def _assess(actor: Any, risk: Risk, scales: RiskScales) -> RiskAssessment:
    return RiskAssessment.objects.create(
        risk=risk,
        assessed_at=timezone.now(),
        assessed_by=acting_user(actor),
        status=risk.status,
        probability=risk.probability,
        impact=risk.impact,
        residual_probability=risk.residual_probability,
        residual_impact=risk.residual_impact,
        expected_value=risk_expected_value(risk, scales),
    )


def _status_dates(risk: Risk, old_status: str | None) -> None:
    if risk.status == RiskStatus.CLOSED and old_status != RiskStatus.CLOSED:
        risk.closed_at = timezone.now()
    elif risk.status != RiskStatus.CLOSED:
        risk.closed_at = None


def _clean_text(values: dict[str, Any]) -> None:
    for name in ("code", "title"):
        if isinstance(values.get(name), str):
            values[name] = values[name].strip()


@transaction.atomic
def risk_create(*, actor: Any, project: Project, title: str, **values: Any) -> Risk:
    """Record a risk of ``project`` (CHANGE on the project).

    Its portfolio and programme are the project's; its code is the next free ``R-nnn`` of the
    portfolio unless one is given; its next review is due after the review interval unless a
    date is given. Writes its first assessment.
    """
    check_fields(values, RISK_FIELDS)
    require(actor, Action.CHANGE, project)
    tasks = list(values.pop("tasks", None) or [])
    _clean_text(values)
    code = values.pop("code", "") or raid_next_code(
        Risk, portfolio=project.portfolio, prefix=RISK_CODE_PREFIX
    )
    if not values.get("review_date"):
        values["review_date"] = timezone.localdate() + dt.timedelta(
            days=risk_settings().review_interval_days
        )
    risk = Risk(
        project=project,
        portfolio_id=project.portfolio_id,
        programme_id=project.programme_id,
        code=code,
        title=title.strip(),
        created_by=acting_user(actor),
        **values,
    )
    _status_dates(risk, None)
    scales = risk_scales()
    create_audited(
        actor=actor,
        instance=risk,
        many_to_many={"tasks": tasks},
        errors=_check_risk(risk, scales, tasks),
    )
    _assess(actor, risk, scales)
    return risk


@transaction.atomic
def risk_update(*, actor: Any, risk: Risk, **changes: Any) -> Risk:
    """Change a risk (CHANGE on it); a change of status, kind, scores, probability or cost
    impact writes an assessment."""
    check_fields(changes, RISK_FIELDS)
    require(actor, Action.CHANGE, risk)
    _clean_text(changes)
    tasks = list(changes["tasks"]) if "tasks" in changes else None
    if tasks is not None:
        changes["tasks"] = tasks
    proposed = proposed_change(risk, changes, skip=("tasks",))
    old_status = risk.status
    _status_dates(proposed, old_status)
    if proposed.closed_at != risk.closed_at:
        changes["closed_at"] = proposed.closed_at
    scales = risk_scales()
    assessed = any(
        name in changes and getattr(risk, name) != changes[name] for name in ASSESSED_FIELDS
    )
    updated = update_audited(
        actor=actor,
        instance=risk,
        changes=changes,
        many_to_many=("tasks",) if tasks is not None else (),
        errors=_check_risk(proposed, scales, tasks),
    )
    if assessed:
        _assess(actor, updated, scales)
    return updated


@transaction.atomic
def risk_close(*, actor: Any, risk: Risk) -> Risk:
    """Close the risk: it no longer threatens (or offers) anything."""
    if risk.status == RiskStatus.CLOSED:
        raise ValidationError(gettext("The risk %(code)s is already closed.") % {"code": risk.code})
    return risk_update(actor=actor, risk=risk, status=RiskStatus.CLOSED)


@transaction.atomic
def risk_reopen(*, actor: Any, risk: Risk) -> Risk:
    """Reopen a closed (or occurred) risk as active."""
    if risk.status in OPEN_RISK_STATUSES:
        raise ValidationError(gettext("The risk %(code)s is open.") % {"code": risk.code})
    return risk_update(actor=actor, risk=risk, status=RiskStatus.ACTIVE)


@transaction.atomic
def risk_review(*, actor: Any, risk: Risk) -> Risk:
    """Mark the risk reviewed now: its next review falls after the review interval. The review
    is an assessment (its scores as they stand)."""
    require(actor, Action.CHANGE, risk)
    if risk.status == RiskStatus.CLOSED:
        raise ValidationError(
            gettext("The risk %(code)s is closed: reopen it to review it.") % {"code": risk.code}
        )
    now = timezone.now()
    interval = risk_settings().review_interval_days
    updated = update_audited(
        actor=actor,
        instance=risk,
        changes={
            "reviewed_at": now,
            "review_date": timezone.localdate(now) + dt.timedelta(days=interval),
        },
    )
    _assess(actor, updated, risk_scales())
    return updated


@transaction.atomic
def risk_delete(*, actor: Any, risk: Risk) -> None:
    """Delete a risk with its actions and assessments (DELETE on it); closing it keeps it."""
    require(actor, Action.DELETE, risk)
    delete_audited(actor=actor, instance=risk)


# Response actions -----------------------------------------------------------------------------


def risk_action_list(
    *,
    user: Any,
    risk: Risk | None = None,
    project: Project | None = None,
    programme: Programme | None = None,
    portfolio: Portfolio | None = None,
    status: str = "",
    overdue: bool = False,
    today: dt.date | None = None,
) -> QuerySet[RiskAction]:
    """Response actions of the risks the user may see; ``overdue``: open and due before today."""
    risks = _in_scope(
        visible(user, Risk.objects.all()), project=project, programme=programme, portfolio=portfolio
    )
    if risk is not None:
        risks = risks.filter(pk=risk.pk)
    queryset = RiskAction.objects.filter(risk__in=risks).select_related(
        "risk", "risk__project", "owner"
    )
    if status:
        queryset = queryset.filter(status=status)
    if overdue:
        queryset = queryset.filter(
            status=RiskActionStatus.OPEN, due_date__lt=today or timezone.localdate()
        )
    return queryset.order_by(F("due_date").asc(nulls_last=True), "risk__code", "pk")


def risk_action_get_for_user(pk: Any, *, user: Any) -> RiskAction:
    """The action ``pk`` of a risk the user may see."""
    try:
        return RiskAction.objects.select_related("risk", "risk__project", "owner").get(
            pk=pk, risk__in=visible(user, Risk.objects.all())
        )
    except (RiskAction.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundError() from exc


def _check_action(action: RiskAction) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    project = action.risk.project
    owner = action.owner
    if (
        owner is not None
        and project is not None
        and (not owner.is_active or not can_view(owner, project))
    ):
        errors["owner"] = [
            gettext("%(user)s cannot see project %(project)s: give them a role on it first.")
            % {"user": owner.get_username(), "project": project.code}
        ]
    return errors


@transaction.atomic
def risk_action_create(
    *,
    actor: Any,
    risk: Risk,
    description: str,
    owner: Any = None,
    due_date: dt.date | None = None,
) -> RiskAction:
    """Add a response action (mitigation, transfer ...) to a risk (CHANGE on it)."""
    require(actor, Action.CHANGE, risk)
    action = RiskAction(risk=risk, description=description.strip(), owner=owner, due_date=due_date)
    return create_audited(actor=actor, instance=action, errors=_check_action(action))


@transaction.atomic
def risk_action_update(*, actor: Any, action: RiskAction, **changes: Any) -> RiskAction:
    check_fields(changes, ACTION_FIELDS)
    require(actor, Action.CHANGE, action.risk)
    if isinstance(changes.get("description"), str):
        changes["description"] = changes["description"].strip()
    proposed = proposed_change(action, changes)
    return update_audited(
        actor=actor, instance=action, changes=changes, errors=_check_action(proposed)
    )


def _require_action_holder(actor: Any, action: RiskAction) -> None:
    require(actor, Action.VIEW, action.risk)
    is_owner = action.owner_id is not None and action.owner_id == getattr(actor, "pk", None)
    if not (is_owner or can(actor, Action.CHANGE, action.risk)):
        _forbid()


def _set_action_status(actor: Any, action: RiskAction, status: str) -> RiskAction:
    _require_action_holder(actor, action)
    if action.status == status:
        raise ValidationError(
            gettext("The action is already %(status)s.")
            % {"status": RiskActionStatus(status).label.lower()}
        )
    return update_audited(
        actor=actor,
        instance=action,
        changes={
            "status": status,
            "done_at": timezone.now() if status == RiskActionStatus.DONE else None,
        },
    )


@transaction.atomic
def risk_action_complete(*, actor: Any, action: RiskAction) -> RiskAction:
    """Mark the action done (its owner, or whoever may change the risk)."""
    return _set_action_status(actor, action, RiskActionStatus.DONE)


@transaction.atomic
def risk_action_cancel(*, actor: Any, action: RiskAction) -> RiskAction:
    """Cancel the action (its owner, or whoever may change the risk)."""
    return _set_action_status(actor, action, RiskActionStatus.CANCELLED)


@transaction.atomic
def risk_action_reopen(*, actor: Any, action: RiskAction) -> RiskAction:
    """Open a done or cancelled action again."""
    return _set_action_status(actor, action, RiskActionStatus.OPEN)


@transaction.atomic
def risk_action_delete(*, actor: Any, action: RiskAction) -> None:
    require(actor, Action.CHANGE, action.risk)
    delete_audited(actor=actor, instance=action)


# Escalation -----------------------------------------------------------------------------------


def _home_level(item: RaidScoped) -> str:
    if item.project_id:
        return EscalationLevel.PROJECT
    if item.programme_id:
        return EscalationLevel.PROGRAMME
    return EscalationLevel.PORTFOLIO


def _level_scope(item: RaidScoped, level: str) -> Project | Programme | Portfolio:
    if level == EscalationLevel.PROGRAMME and item.programme_id:
        return item.programme  # type: ignore[return-value]
    if level == EscalationLevel.PORTFOLIO:
        return item.portfolio
    return item.scope()


@transaction.atomic
def raid_escalate(*, actor: Any, item: RaidScoped, level: str, comment: str = "") -> RaidScoped:
    """Raise a RAID item (a risk, an issue ...) to its programme or portfolio, or bring it back
    down; records who and when, and the comment in its history.

    Raising takes CHANGE on the item; bringing it down takes CHANGE on the level it was raised
    to (a project manager cannot pull back what the portfolio now owns). The programme level
    exists only for an item of a project in a programme.
    """
    require(actor, Action.CHANGE, item)
    if level not in EscalationLevel.values:
        raise ValidationError(
            {"level": gettext("Unknown escalation level '%(level)s'.") % {"level": level}}
        )
    current = item.escalation_level
    if level == current:
        raise ValidationError(
            {
                "level": gettext("%(item)s is already at the %(level)s level.")
                % {"item": item.code, "level": EscalationLevel(level).label.lower()}
            }
        )
    if level == EscalationLevel.PROGRAMME and not item.programme_id:
        raise ValidationError(
            {
                "level": gettext("%(item)s is not in a programme: escalate it to the portfolio.")
                % {"item": item.code}
            }
        )
    if LEVEL_ORDER[EscalationLevel(level)] < LEVEL_ORDER[EscalationLevel(_home_level(item))]:
        raise ValidationError(
            {
                "level": gettext("%(item)s belongs to the %(level)s: it cannot go lower.")
                % {"item": item.code, "level": EscalationLevel(_home_level(item)).label.lower()}
            }
        )
    if LEVEL_ORDER[EscalationLevel(level)] < LEVEL_ORDER[EscalationLevel(current)]:
        holder = _level_scope(item, current)
        if not can(actor, Action.CHANGE, holder):
            raise ForbiddenError(
                gettext("Only someone who may change the %(level)s can bring %(item)s back down.")
                % {"level": EscalationLevel(current).label.lower(), "item": item.code}
            )
    raised = level != _home_level(item)
    before = audit.capture(item)
    item.escalation_level = level
    item.escalated_at = timezone.now() if raised else None
    item.escalated_by = acting_user(actor) if raised else None
    validate(item)
    item.save()
    entry = audit.record_updated(actor=actor, instance=item, before=before)
    if entry is not None and comment.strip():
        entry.changes.append(
            {
                "field": "escalation_comment",
                "old": None,
                "new": comment.strip(),
                "old_text": "",
                "new_text": comment.strip(),
            }
        )
        entry.save(update_fields=["changes"])
    return item


def raid_escalated(
    *,
    user: Any,
    project: Project | None = None,
    programme: Programme | None = None,
    portfolio: Portfolio | None = None,
    level: str = "",
) -> list[RaidScoped]:
    """Open risks and issues raised to a programme or a portfolio, newest escalation first;
    each has ``raid_kind`` (``risk`` or ``issue``)."""
    levels = [level] if level else [EscalationLevel.PROGRAMME, EscalationLevel.PORTFOLIO]
    risks = _in_scope(
        visible(user, _risks()), project=project, programme=programme, portfolio=portfolio
    ).filter(escalation_level__in=levels, status__in=OPEN_RISK_STATUSES)
    issues = _in_scope(
        visible(
            user,
            Issue.objects.select_related(
                "project", "programme", "portfolio", "owner", "escalated_by"
            ),
        ),
        project=project,
        programme=programme,
        portfolio=portfolio,
    ).filter(escalation_level__in=levels, status__in=OPEN_ISSUE_STATUSES)
    items: list[RaidScoped] = []
    for kind, found in (("risk", risks), ("issue", issues)):
        for item in found:
            setattr(item, "raid_kind", kind)  # noqa: B010
            items.append(item)
    oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
    return sorted(items, key=lambda item: item.escalated_at or oldest, reverse=True)


# Heat map -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeatMapCell:
    """One cell of the heat map: its levels, its score and colour, and how many open risks."""

    probability: int
    impact: int
    score: int
    rag: str
    count: int


@dataclass(frozen=True)
class HeatMapRow:
    level: RiskScaleLevel
    cells: list[HeatMapCell]


@dataclass(frozen=True)
class HeatMap:
    """Open risks counted by probability (rows, highest first) and impact (columns)."""

    view: str
    impact_levels: tuple[RiskScaleLevel, ...]
    rows: list[HeatMapRow]
    total: int

    def count(self, probability: int, impact: int) -> int:
        for row in self.rows:
            if row.level.level == probability:
                for cell in row.cells:
                    if cell.impact == impact:
                        return cell.count
        return 0


def risk_heat_map(
    *,
    user: Any,
    project: Project | None = None,
    programme: Programme | None = None,
    portfolio: Portfolio | None = None,
    residual: bool = False,
) -> HeatMap:
    """The heat map of the open risks the user may see: inherent levels, or with ``residual``
    the residual ones (a risk not assessed after its responses stays at its inherent levels)."""
    scales = risk_scales()
    settings = risk_settings()
    queryset = _in_scope(
        visible(user, Risk.objects.all()), project=project, programme=programme, portfolio=portfolio
    ).filter(status__in=OPEN_RISK_STATUSES)
    if residual:
        queryset = queryset.annotate(
            cell_probability=Coalesce("residual_probability", "probability"),
            cell_impact=Coalesce("residual_impact", "impact"),
        )
    else:
        queryset = queryset.annotate(cell_probability=F("probability"), cell_impact=F("impact"))
    counts = {
        (row["cell_probability"], row["cell_impact"]): row["count"]
        for row in queryset.order_by()
        .values("cell_probability", "cell_impact")
        .annotate(count=Count("pk"))
    }
    rows = [
        HeatMapRow(
            level=probability,
            cells=[
                HeatMapCell(
                    probability=probability.level,
                    impact=impact.level,
                    score=probability.level * impact.level,
                    rag=rag_for(probability.level * impact.level, settings),
                    count=counts.get((probability.level, impact.level), 0),
                )
                for impact in scales.impact
            ],
        )
        for probability in reversed(scales.probability)
    ]
    return HeatMap(
        view="residual" if residual else "inherent",
        impact_levels=scales.impact,
        rows=rows,
        total=sum(counts.values()),
    )


# Trend ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendWeek:
    """The open risks at the end of a week by RAG, and their total EMV by currency."""

    week: dt.date
    green: int
    amber: int
    red: int
    expected_value: dict[str, Decimal] = field(default_factory=dict)

    @property
    def open(self) -> int:
        return self.green + self.amber + self.red


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def risk_trend(
    *,
    user: Any,
    project: Project | None = None,
    programme: Programme | None = None,
    portfolio: Portfolio | None = None,
    weeks: int = 26,
    today: dt.date | None = None,
) -> list[TrendWeek]:
    """Week by week (Mondays), the open risks as their assessments left them at the end of the
    week, by RAG of their current score, and their total expected value by currency.

    Starts at the week of the first assessment, at most ``weeks`` weeks back; amounts in
    different currencies are never added together.
    """
    settings = risk_settings()
    risks = _in_scope(
        visible(user, Risk.objects.all()), project=project, programme=programme, portfolio=portfolio
    )
    rows = list(
        RiskAssessment.objects.filter(risk__in=risks)
        .order_by("assessed_at", "pk")
        .values_list(
            "risk_id",
            "assessed_at",
            "status",
            "probability",
            "impact",
            "residual_probability",
            "residual_impact",
            "expected_value",
            "risk__project__currency",
        )
    )
    if not rows:
        return []
    today = today or timezone.localdate()
    last_week = _monday(today)
    first_week = max(
        _monday(timezone.localdate(rows[0][1])), last_week - dt.timedelta(weeks=max(weeks, 1) - 1)
    )
    state: dict[int, tuple[Any, ...]] = {}
    result: list[TrendWeek] = []
    index = 0
    week = first_week
    while week <= last_week:
        end = week + dt.timedelta(days=7)
        while index < len(rows) and timezone.localdate(rows[index][1]) < end:
            state[rows[index][0]] = rows[index]
            index += 1
        counts = {"green": 0, "amber": 0, "red": 0}
        totals: dict[str, Decimal] = {}
        for _risk, _at, status, p, i, rp, ri, value, currency in state.values():
            if status not in OPEN_RISK_STATUSES:
                continue
            score = rp * ri if rp is not None and ri is not None else p * i
            counts[rag_for(score, settings)] += 1
            if value is not None:
                key = currency or ""
                totals[key] = totals.get(key, Decimal(0)) + value
        result.append(TrendWeek(week=week, expected_value=totals, **counts))
        week = end
    return result


# Overview -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RaidOverview:
    """What a project's RAID overview counts."""

    risks_by_rag: dict[str, int]
    open_issues: int
    assumptions_due: int
    change_requests_waiting: int

    @property
    def open_risks(self) -> int:
        return sum(self.risks_by_rag.values())


def raid_overview(*, user: Any, project: Project, today: dt.date | None = None) -> RaidOverview:
    """Open risks by RAG, open issues, assumptions to validate within two weeks (or late) and
    change requests waiting for a decision, for one project."""
    today = today or timezone.localdate()
    by_rag = risk_list(user=user, project=project, status="open").aggregate(
        **{rag: Count("pk", filter=Q(rag_value=rag)) for rag in ("red", "amber", "green")}
    )
    return RaidOverview(
        risks_by_rag={rag: by_rag[rag] or 0 for rag in ("red", "amber", "green")},
        open_issues=visible(user, Issue.objects.filter(project=project))
        .filter(status__in=OPEN_ISSUE_STATUSES)
        .count(),
        assumptions_due=visible(user, Assumption.objects.filter(project=project))
        .filter(
            status=AssumptionStatus.OPEN,
            validate_by__lte=today + dt.timedelta(days=SOON_DAYS),
        )
        .count(),
        change_requests_waiting=visible(user, ChangeRequest.objects.filter(project=project))
        .filter(status=ChangeRequestStatus.SUBMITTED)
        .count(),
    )
