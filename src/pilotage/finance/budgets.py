"""Budgets and the money reference lists: cost categories, exchange rates, finance settings,
budget versions with their phased lines and approval, and the roll-up to the portfolio.

A project or programme has versions of three kinds: the original budget (kept forever once
approved), the current approved budget and the forecast. Each version is drafted, submitted,
then approved or rejected by someone else; approving a version supersedes the previously
approved version of the same kind, which stays as history.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext

from pilotage.accounts.permissions import (
    Action,
    can,
    get_for_user,
    has_any_role,
    require,
    require_organisation,
    visible,
)
from pilotage.core import audit
from pilotage.core.errors import ForbiddenError
from pilotage.core.services import (
    acting_user,
    check_fields,
    create_audited,
    delete_audited,
    update_audited,
)
from pilotage.finance.currency import (
    CurrencyRateMissingError,
    RateTable,
    finance_settings,
    quantize_money,
    rate_table,
)
from pilotage.finance.models import (
    ZERO,
    ActualCost,
    Budget,
    BudgetKind,
    BudgetLine,
    BudgetStatus,
    CostCategory,
    ExchangeRate,
    ExpenseType,
    FinanceSettings,
)
from pilotage.portfolio.models import Portfolio, Programme, Project

__all__ = [
    "DEFAULT_CATEGORIES",
    "PERIODS",
    "BudgetPhasing",
    "BudgetRow",
    "PhasedRow",
    "RollupRow",
    "budget_approve",
    "budget_approve_change",
    "budget_create",
    "budget_delete",
    "budget_get_for_user",
    "budget_line_set",
    "budget_lines_replace",
    "budget_list",
    "budget_phased",
    "budget_reject",
    "budget_submit",
    "budget_summary",
    "budget_update",
    "budgets_current",
    "can_draft_budget",
    "cost_categories_ensure_defaults",
    "cost_category_create",
    "cost_category_delete",
    "cost_category_list",
    "cost_category_update",
    "exchange_rate_delete",
    "exchange_rate_list",
    "exchange_rate_set",
    "finance_settings_update",
    "month_start",
    "period_start",
    "portfolio_budget_rollup",
]

Period = Literal["month", "quarter", "year"]
PERIODS: tuple[Period, ...] = ("month", "quarter", "year")

# The categories approved timesheets and invoices file their costs under, when they exist.
LABOUR_CATEGORY = "LAB-INT"
EXTERNAL_CATEGORY = "EXT-SVC"

# (code, English name, expense type): the categories most PMOs start with.
DEFAULT_CATEGORIES: tuple[tuple[str, str, str], ...] = (
    (LABOUR_CATEGORY, "Internal labour", ExpenseType.OPEX),
    (EXTERNAL_CATEGORY, "External services", ExpenseType.OPEX),
    ("SW-LIC", "Software licences", ExpenseType.CAPEX),
    ("HW", "Hardware", ExpenseType.CAPEX),
    ("TRAVEL", "Travel", ExpenseType.OPEX),
    ("TRAIN", "Training", ExpenseType.OPEX),
    ("OTHER", "Other", ExpenseType.OPEX),
)

CATEGORY_FIELDS = frozenset({"code", "name", "expense_type", "is_active"})
SETTINGS_FIELDS = frozenset(
    {
        "reporting_currency",
        "invoice_work_done_percent",
        "invoice_overbilling_tolerance_percent",
        "invoice_rate_tolerance_percent",
    }
)
BUDGET_FIELDS = frozenset({"name", "notes", "currency"})


def month_start(day: dt.date) -> dt.date:
    """The first day of the month of ``day``.

    >>> month_start(dt.date(2026, 5, 17))
    datetime.date(2026, 5, 1)
    """
    return day.replace(day=1)


def period_start(day: dt.date, period: Period) -> dt.date:
    """The first day of the month, quarter or year containing ``day``.

    >>> period_start(dt.date(2026, 5, 17), "quarter"), period_start(dt.date(2026, 5, 17), "year")
    (datetime.date(2026, 4, 1), datetime.date(2026, 1, 1))
    """
    if period == "year":
        return day.replace(month=1, day=1)
    if period == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(day=1)


def period_label(first: dt.date, period: Period) -> str:
    if period == "year":
        return f"{first.year}"
    if period == "quarter":
        return f"Q{(first.month - 1) // 3 + 1} {first.year}"
    return f"{first:%Y-%m}"


# Reference lists --------------------------------------------------------------------------------


def _require_reference_viewer(user: Any) -> None:
    if not has_any_role(user):
        raise ForbiddenError(gettext("You do not have permission to do this."))


def cost_category_list(*, user: Any, active: bool | None = None) -> QuerySet[CostCategory]:
    """The organisation's cost categories, by code (anyone holding a role reads them)."""
    if not has_any_role(user):
        return CostCategory.objects.none()
    queryset = CostCategory.objects.order_by("code")
    if active is not None:
        queryset = queryset.filter(is_active=active)
    return queryset


def exchange_rate_list(*, user: Any, currency: str | None = None) -> QuerySet[ExchangeRate]:
    """Exchange rates to the reporting currency, by currency and newest date first."""
    if not has_any_role(user):
        return ExchangeRate.objects.none()
    queryset = ExchangeRate.objects.order_by("currency", "-valid_from")
    if currency:
        queryset = queryset.filter(currency=currency)
    return queryset


@transaction.atomic
def cost_categories_ensure_defaults(*, actor: Any) -> int:
    """Add the usual cost categories that are missing (by code); returns how many were added."""
    require_organisation(actor, Action.MANAGE_FINANCE)
    existing = set(CostCategory.objects.values_list("code", flat=True))
    added = 0
    for code, name, expense_type in DEFAULT_CATEGORIES:
        if code in existing:
            continue
        create_audited(
            actor=actor,
            instance=CostCategory(code=code, name=gettext(name), expense_type=expense_type),
        )
        added += 1
    return added


@transaction.atomic
def cost_category_create(
    *,
    actor: Any,
    code: str,
    name: str,
    expense_type: str = ExpenseType.OPEX,
    is_active: bool = True,
) -> CostCategory:
    require_organisation(actor, Action.MANAGE_FINANCE)
    category = CostCategory(
        code=code.strip(), name=name.strip(), expense_type=expense_type, is_active=is_active
    )
    return create_audited(actor=actor, instance=category)


@transaction.atomic
def cost_category_update(*, actor: Any, category: CostCategory, **changes: Any) -> CostCategory:
    check_fields(changes, CATEGORY_FIELDS)
    require_organisation(actor, Action.MANAGE_FINANCE)
    return update_audited(actor=actor, instance=category, changes=changes)


@transaction.atomic
def cost_category_delete(*, actor: Any, category: CostCategory) -> None:
    """Refused while budget lines or actual costs use the category: make it inactive instead."""
    require_organisation(actor, Action.MANAGE_FINANCE)
    if (
        BudgetLine.objects.filter(category=category).exists()
        or ActualCost.objects.filter(category=category).exists()
    ):
        raise ValidationError(
            gettext(
                "The category “%(category)s” is used by budgets or actual costs: make it "
                "inactive instead."
            )
            % {"category": category.name},
            code="protected",
        )
    delete_audited(actor=actor, instance=category)


@transaction.atomic
def exchange_rate_set(
    *, actor: Any, currency: str, valid_from: dt.date, rate: Decimal
) -> ExchangeRate:
    """Set the rate of ``currency`` from ``valid_from`` (replacing the rate of that date)."""
    require_organisation(actor, Action.MANAGE_FINANCE)
    reporting = finance_settings().reporting_currency
    if currency == reporting:
        raise ValidationError(
            {
                "currency": gettext("%(currency)s is the reporting currency: its rate is always 1.")
                % {"currency": currency}
            },
            code="reporting_currency",
        )
    existing = ExchangeRate.objects.filter(currency=currency, valid_from=valid_from).first()
    if existing is not None:
        return update_audited(actor=actor, instance=existing, changes={"rate": rate})
    return create_audited(
        actor=actor, instance=ExchangeRate(currency=currency, valid_from=valid_from, rate=rate)
    )


@transaction.atomic
def exchange_rate_delete(*, actor: Any, rate: ExchangeRate) -> None:
    require_organisation(actor, Action.MANAGE_FINANCE)
    delete_audited(actor=actor, instance=rate)


@transaction.atomic
def finance_settings_update(*, actor: Any, **changes: Any) -> FinanceSettings:
    """Change the reporting currency or the invoice tolerances."""
    check_fields(changes, SETTINGS_FIELDS)
    require_organisation(actor, Action.MANAGE_FINANCE)
    return update_audited(actor=actor, instance=finance_settings(), changes=changes)


# Budgets: reads -------------------------------------------------------------------------------


def _budgets() -> QuerySet[Budget]:
    return Budget.objects.select_related(
        "project",
        "programme",
        "programme__portfolio",
        "created_by",
        "submitted_by",
        "decided_by",
    ).annotate(total=Sum("lines__amount"), line_count=Count("lines"))


def budget_list(
    *, user: Any, project: Project | None = None, programme: Programme | None = None
) -> QuerySet[Budget]:
    """The budget versions the user may see, of one project or programme if given, by kind and
    newest version first; each has ``total`` (in its currency) and ``line_count``."""
    queryset = visible(user, _budgets())
    if project is not None:
        queryset = queryset.filter(project=project)
    if programme is not None:
        queryset = queryset.filter(programme=programme)
    return queryset.order_by("kind", "-number")


def budget_get_for_user(pk: Any, *, user: Any, action: Action = Action.VIEW) -> Budget:
    """A budget version the user may see (and do ``action`` on), else not found/forbidden."""
    return get_for_user(_budgets(), pk, user=user, action=action)


def budgets_current(budgets: Iterable[Budget]) -> dict[str, Budget]:
    """The approved version of each kind among ``budgets``."""
    current: dict[str, Budget] = {}
    for budget in budgets:
        if budget.status == BudgetStatus.APPROVED:
            known = current.get(budget.kind)
            if known is None or budget.number > known.number:
                current[budget.kind] = budget
    return current


@dataclass
class PhasedRow:
    """One category and expense type of a phased budget: an amount per period and the total."""

    category: CostCategory
    expense_type: str
    values: list[Decimal]
    total: Decimal

    @property
    def expense_type_label(self) -> str:
        return str(ExpenseType(self.expense_type).label)


@dataclass
class BudgetPhasing:
    """A budget version's lines by category × expense type (rows) and period (columns)."""

    period: Period
    periods: list[dt.date]
    labels: list[str]
    rows: list[PhasedRow]
    totals: list[Decimal]
    total: Decimal
    by_expense_type: dict[str, Decimal] = field(default_factory=dict)

    @property
    def capex(self) -> Decimal:
        return self.by_expense_type.get(ExpenseType.CAPEX, ZERO)

    @property
    def opex(self) -> Decimal:
        return self.by_expense_type.get(ExpenseType.OPEX, ZERO)


def _phase(lines: Sequence[BudgetLine], period: Period) -> BudgetPhasing:
    periods = sorted({period_start(line.month, period) for line in lines})
    index = {first: position for position, first in enumerate(periods)}
    rows: dict[tuple[int, str], PhasedRow] = {}
    totals = [ZERO] * len(periods)
    by_type: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        key = (line.category_id, line.expense_type)
        row = rows.get(key)
        if row is None:
            row = rows[key] = PhasedRow(
                line.category, line.expense_type, [ZERO] * len(periods), ZERO
            )
        column = index[period_start(line.month, period)]
        row.values[column] += line.amount
        row.total += line.amount
        totals[column] += line.amount
        by_type[line.expense_type] += line.amount
    ordered = sorted(rows.values(), key=lambda row: (row.category.code, row.expense_type))
    return BudgetPhasing(
        period=period,
        periods=periods,
        labels=[period_label(first, period) for first in periods],
        rows=ordered,
        totals=totals,
        total=sum(totals, ZERO),
        by_expense_type=dict(by_type),
    )


def budget_phased(budget: Budget, period: Period = "month") -> BudgetPhasing:
    """The budget's amounts by category and expense type (rows) and by month, quarter or year
    (columns), with the totals of each period and the CAPEX/OPEX split (two queries)."""
    if period not in PERIODS:
        raise ValueError(f"Unknown period {period!r}")
    lines = list(budget.lines.select_related("category").order_by("month", "category__code"))
    return _phase(lines, period)


def _line_sums(budget_ids: Iterable[int]) -> dict[int, list[tuple[dt.date, Decimal]]]:
    sums: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    rows = (
        BudgetLine.objects.filter(budget_id__in=list(budget_ids))
        .values_list("budget_id", "month")
        .annotate(amount=Sum("amount"))
        .order_by("budget_id", "month")
    )
    for budget_id, month, amount in rows:
        sums[budget_id].append((month, amount))
    return sums


def _converted(
    months: Sequence[tuple[dt.date, Decimal]],
    source: str,
    target: str,
    table: RateTable,
    problems: list[str],
) -> Decimal | None:
    """The sum of monthly amounts converted on the first day of each month."""
    total = ZERO
    for month, amount in months:
        try:
            total += table.convert_between(amount, source, target, month)
        except CurrencyRateMissingError as error:
            problems.append(error.messages[0])
            return None
    return quantize_money(total)


def budget_summary(project: Project, *, table: RateTable | None = None) -> dict[str, Any]:
    """The project's approved original, current approved and forecast totals in the project
    currency (each month converted at its rate); a total whose conversion lacks a rate is None
    and ``problems`` says which rate is missing."""
    table = table or rate_table()
    current = budgets_current(Budget.objects.filter(project=project, status=BudgetStatus.APPROVED))
    sums = _line_sums(budget.pk for budget in current.values())
    problems: list[str] = []
    summary: dict[str, Any] = {"currency": project.currency}
    for kind in (BudgetKind.ORIGINAL, BudgetKind.APPROVED, BudgetKind.FORECAST):
        budget = current.get(kind)
        summary[kind.value] = (
            None
            if budget is None
            else _converted(
                sums.get(budget.pk, []), budget.currency, project.currency, table, problems
            )
        )
    summary["problems"] = problems
    return summary


@dataclass
class RollupRow:
    """A programme or project of a portfolio roll-up, its totals in the reporting currency.

    For a programme, the figures are the programme's own budget and ``projects_*`` add up the
    approved budgets of its projects; ``problems`` name any missing exchange rate (a figure
    that could not be converted is None rather than left out silently).
    """

    level: Literal["programme", "project", "total"]
    pk: int | None
    code: str
    name: str
    programme_id: int | None = None
    original: Decimal | None = None
    approved: Decimal | None = None
    forecast: Decimal | None = None
    problems: list[str] = field(default_factory=list)
    projects_original: Decimal | None = None
    projects_approved: Decimal | None = None
    projects_forecast: Decimal | None = None


def _add(total: Decimal | None, value: Decimal | None) -> Decimal | None:
    if total is None or value is None:
        return None
    return total + value


def portfolio_budget_rollup(*, user: Any, portfolio: Portfolio | None = None) -> list[RollupRow]:
    """Original, approved and forecast budgets of the programmes and projects the user may see
    (of one portfolio if given), in the reporting currency, each programme followed by its
    projects, projects without a programme last, and a total row (a constant number of
    queries whatever the number of projects)."""
    table = rate_table()
    reporting = table.reporting_currency
    projects = visible(user, Project.objects.all())
    programmes = visible(user, Programme.objects.all())
    if portfolio is not None:
        projects = projects.filter(portfolio=portfolio)
        programmes = programmes.filter(portfolio=portfolio)
    project_list = list(projects.order_by("code").values_list("pk", "code", "name", "programme_id"))
    programme_list = list(programmes.order_by("code").values_list("pk", "code", "name"))
    project_ids = [row[0] for row in project_list]
    programme_ids = [row[0] for row in programme_list]
    budgets = list(
        Budget.objects.filter(status=BudgetStatus.APPROVED)
        .filter(Q(project_id__in=project_ids) | Q(programme_id__in=programme_ids))
        .values_list("pk", "project_id", "programme_id", "kind", "currency", "number")
    )
    sums = _line_sums(row[0] for row in budgets)
    current: dict[tuple[str, int], dict[str, tuple[int, str, int]]] = defaultdict(dict)
    for pk, project_id, programme_id, kind, currency, number in budgets:
        owner = ("project", project_id) if project_id else ("programme", programme_id)
        known = current[owner].get(kind)
        if known is None or number > known[2]:
            current[owner][kind] = (pk, currency, number)

    def fill(row: RollupRow, owner: tuple[str, int]) -> RollupRow:
        for kind in (BudgetKind.ORIGINAL, BudgetKind.APPROVED, BudgetKind.FORECAST):
            found = current.get(owner, {}).get(kind)
            value = (
                None
                if found is None
                else _converted(sums.get(found[0], []), found[1], reporting, table, row.problems)
            )
            setattr(row, kind.value, value)
        return row

    project_rows = [
        fill(RollupRow("project", pk, code, name, programme_id=programme_id), ("project", pk))
        for pk, code, name, programme_id in project_list
    ]
    rows: list[RollupRow] = []
    total = RollupRow(
        "total", None, "", gettext("Total"), original=ZERO, approved=ZERO, forecast=ZERO
    )
    for pk, code, name in programme_list:
        programme_row = fill(RollupRow("programme", pk, code, name), ("programme", pk))
        children = [row for row in project_rows if row.programme_id == pk]
        for kind in ("original", "approved", "forecast"):
            value: Decimal | None = ZERO
            for child in children:
                value = _add(value, getattr(child, kind) or ZERO)
            setattr(programme_row, f"projects_{kind}", value)
        rows.append(programme_row)
        rows.extend(children)
    shown = {row.pk for row in rows if row.level == "project"}
    rows.extend(row for row in project_rows if row.pk not in shown)
    for row in project_rows:
        total.problems.extend(row.problems)
        for kind in ("original", "approved", "forecast"):
            value = getattr(row, kind)
            if value is not None:
                setattr(total, kind, getattr(total, kind) + value)
    rows.append(total)
    return rows


# Budgets: writes ------------------------------------------------------------------------------


def can_draft_budget(user: Any, owner: Project | Programme) -> bool:
    """Project or programme managers (Change) and finance (Manage finance) draft budgets."""
    return can(user, Action.CHANGE, owner) or can(user, Action.MANAGE_FINANCE, owner)


def _require_draft_rights(actor: Any, owner: Project | Programme) -> None:
    require(actor, Action.VIEW, owner)
    if not can_draft_budget(actor, owner):
        raise ForbiddenError(gettext("You do not have permission to do this."))


def _require_draft(budget: Budget) -> None:
    if budget.status != BudgetStatus.DRAFT:
        raise ValidationError(
            gettext("Only a draft budget can be changed; this version is %(status)s.")
            % {"status": budget.get_status_display().lower()},
            code="not_draft",
        )


def _owner_currency(owner: Project | Programme) -> str:
    if isinstance(owner, Project):
        return owner.currency
    return owner.portfolio.currency


def _lines_text(budget: Budget) -> str:
    agg = budget.lines.aggregate(total=Sum("amount"), count=Count("pk"))
    total = agg["total"] or ZERO
    return gettext("%(count)d amounts, total %(total)s %(currency)s") % {
        "count": agg["count"],
        "total": f"{total:,.2f}",
        "currency": budget.currency,
    }


@transaction.atomic
def budget_create(
    *,
    actor: Any,
    project: Project | None = None,
    programme: Programme | None = None,
    kind: str = BudgetKind.APPROVED,
    name: str = "",
    currency: str | None = None,
    notes: str = "",
    copy_from: Budget | None = None,
) -> Budget:
    """A new draft version of a project's or programme's budget of ``kind`` (numbered after the
    last of that kind), optionally with the lines of another version."""
    if (project is None) == (programme is None):
        raise ValueError("A budget belongs to a project or to a programme.")
    owner: Project | Programme = project if project is not None else programme  # type: ignore[assignment]
    _require_draft_rights(actor, owner)
    if kind not in BudgetKind.values:
        raise ValidationError({"kind": gettext("Unknown kind of budget.")}, code="invalid")
    existing = Budget.objects.filter(project=project, programme=programme)
    if (
        kind == BudgetKind.ORIGINAL
        and existing.filter(kind=BudgetKind.ORIGINAL, status=BudgetStatus.APPROVED).exists()
    ):
        raise ValidationError(
            {"kind": gettext("The original budget is already approved and is kept as it is.")},
            code="original_kept",
        )
    if copy_from is not None:
        require(actor, Action.VIEW, copy_from)
    number = (existing.filter(kind=kind).aggregate(last=Max("number"))["last"] or 0) + 1
    budget = Budget(
        project=project,
        programme=programme,
        kind=kind,
        number=number,
        name=name.strip(),
        currency=currency or (copy_from.currency if copy_from else _owner_currency(owner)),
        notes=notes,
        created_by=acting_user(actor),
    )
    create_audited(actor=actor, instance=budget)
    if copy_from is not None:
        BudgetLine.objects.bulk_create(
            BudgetLine(
                budget=budget,
                category_id=line.category_id,
                expense_type=line.expense_type,
                month=line.month,
                amount=line.amount,
            )
            for line in copy_from.lines.all()
        )
        audit.record_fields_changed(
            actor=actor,
            instance=budget,
            fields={"lines": ("", _lines_text(budget))},
        )
    return budget


@transaction.atomic
def budget_update(*, actor: Any, budget: Budget, **changes: Any) -> Budget:
    """Change a draft's name, notes or currency."""
    check_fields(changes, BUDGET_FIELDS)
    _require_draft_rights(actor, budget.owner)
    _require_draft(budget)
    return update_audited(actor=actor, instance=budget, changes=changes)


@dataclass(frozen=True)
class BudgetRow:
    """One amount of a budget grid: category, expense type, month and amount."""

    category: CostCategory
    expense_type: str
    month: dt.date
    amount: Decimal


def _amount(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float | int):
        return Decimal(str(value))
    return Decimal(str(value).strip().replace(" ", "").replace("\u202f", "").replace(",", "."))


def _check_row(row: BudgetRow | Mapping[str, Any]) -> tuple[BudgetRow | None, list[str]]:
    values = row if isinstance(row, Mapping) else row.__dict__
    problems: list[str] = []
    category = values.get("category")
    if not isinstance(category, CostCategory):
        problems.append(gettext("the cost category is missing or unknown"))
    expense_type = values.get("expense_type") or (
        category.expense_type if isinstance(category, CostCategory) else ExpenseType.OPEX
    )
    if expense_type not in ExpenseType.values:
        problems.append(gettext("the expense type must be CAPEX or OPEX"))
    month = values.get("month")
    if not isinstance(month, dt.date):
        problems.append(gettext("the month is missing"))
    try:
        amount = _amount(values.get("amount", ZERO))
    except (InvalidOperation, ValueError):
        problems.append(gettext("“%(value)s” is not an amount") % {"value": values.get("amount")})
        amount = ZERO
    else:
        if not amount.is_finite():
            problems.append(
                gettext("“%(value)s” is not an amount") % {"value": values.get("amount")}
            )
        elif amount < 0:
            problems.append(gettext("a budget amount cannot be negative"))
        elif quantize_money(amount) != amount:
            problems.append(gettext("an amount has at most two decimals"))
        elif abs(amount) >= Decimal(10) ** 16:
            problems.append(gettext("the amount is too large"))
    if problems:
        return None, problems
    assert isinstance(category, CostCategory)
    assert isinstance(month, dt.date)
    return BudgetRow(category, expense_type, month_start(month), amount), []


@transaction.atomic
def budget_line_set(
    *,
    actor: Any,
    budget: Budget,
    category: CostCategory,
    expense_type: str,
    month: dt.date,
    amount: Decimal,
) -> BudgetLine | None:
    """Set one amount of a draft (the month is the month of ``month``); 0 removes the line."""
    _require_draft_rights(actor, budget.owner)
    _require_draft(budget)
    row, problems = _check_row(
        {"category": category, "expense_type": expense_type, "month": month, "amount": amount}
    )
    if row is None:
        raise ValidationError({"amount": problems}, code="invalid")
    before = _lines_text(budget)
    existing = BudgetLine.objects.filter(
        budget=budget, category=row.category, expense_type=row.expense_type, month=row.month
    ).first()
    line: BudgetLine | None
    if row.amount == 0:
        if existing is not None:
            existing.delete()
        line = None
    elif existing is not None:
        existing.amount = row.amount
        existing.save(update_fields=["amount"])
        line = existing
    else:
        line = BudgetLine.objects.create(
            budget=budget,
            category=row.category,
            expense_type=row.expense_type,
            month=row.month,
            amount=row.amount,
        )
    after = _lines_text(budget)
    if before != after:
        audit.record_fields_changed(actor=actor, instance=budget, fields={"lines": (before, after)})
    budget.save(update_fields=["updated_at"])
    return line


@transaction.atomic
def budget_lines_replace(
    *, actor: Any, budget: Budget, rows: Iterable[BudgetRow | Mapping[str, Any]]
) -> int:
    """Replace every amount of a draft with ``rows`` (dicts or :class:`BudgetRow`: category,
    expense_type, month, amount); zero amounts are left out. All or nothing: a bad row or two
    rows for the same month, category and type change nothing, and the error names each row.
    Returns how many lines the budget now has."""
    _require_draft_rights(actor, budget.owner)
    _require_draft(budget)
    checked: dict[tuple[int, str, dt.date], BudgetRow] = {}
    errors: list[str] = []
    for number, raw in enumerate(rows, start=1):
        row, problems = _check_row(raw)
        if row is None:
            errors.extend(
                gettext("Row %(row)d: %(problem)s.") % {"row": number, "problem": problem}
                for problem in problems
            )
            continue
        key = (row.category.pk, row.expense_type, row.month)
        if key in checked:
            errors.append(
                gettext("Row %(row)d: %(category)s %(type)s %(month)s is given twice.")
                % {
                    "row": number,
                    "category": row.category.name,
                    "type": ExpenseType(row.expense_type).label,
                    "month": f"{row.month:%Y-%m}",
                }
            )
            continue
        checked[key] = row
    if errors:
        raise ValidationError({"lines": errors}, code="invalid")
    before = _lines_text(budget)
    budget.lines.all().delete()
    BudgetLine.objects.bulk_create(
        BudgetLine(
            budget=budget,
            category=row.category,
            expense_type=row.expense_type,
            month=row.month,
            amount=row.amount,
        )
        for row in checked.values()
        if row.amount != 0
    )
    after = _lines_text(budget)
    if before != after:
        audit.record_fields_changed(actor=actor, instance=budget, fields={"lines": (before, after)})
    budget.save(update_fields=["updated_at"])
    return budget.lines.count()


@transaction.atomic
def budget_submit(*, actor: Any, budget: Budget) -> Budget:
    """Send a draft for approval (it needs at least one amount)."""
    _require_draft_rights(actor, budget.owner)
    _require_draft(budget)
    if not budget.lines.exists():
        raise ValidationError(
            gettext("A budget without any amount cannot be submitted."), code="empty"
        )
    return update_audited(
        actor=actor,
        instance=budget,
        changes={
            "status": BudgetStatus.SUBMITTED,
            "submitted_by": acting_user(actor),
            "submitted_at": timezone.now(),
        },
    )


def _require_decision(actor: Any, budget: Budget) -> None:
    require(actor, Action.APPROVE, budget.owner)
    if budget.status != BudgetStatus.SUBMITTED:
        raise ValidationError(
            gettext("Only a submitted budget can be approved or rejected; this one is %(status)s.")
            % {"status": budget.get_status_display().lower()},
            code="not_submitted",
        )


def _is_administrator(actor: Any) -> bool:
    return bool(getattr(actor, "is_superuser", False)) or can(actor, Action.ADMINISTER)


@transaction.atomic
def budget_approve(*, actor: Any, budget: Budget, comment: str = "") -> Budget:
    """Approve a submitted version: the previously approved version of the same kind is
    superseded. The first approved "current approved" budget also becomes the original budget
    when there is none. Approving a project's current approved budget sets the project's budget
    to its total in the project currency (converted at today's rates).

    Whoever submitted it may not approve it, unless they are an administrator.
    """
    _require_decision(actor, budget)
    if (
        budget.submitted_by_id is not None
        and budget.submitted_by_id == getattr(actor, "pk", None)
        and not _is_administrator(actor)
    ):
        raise ForbiddenError(gettext("You submitted this budget: someone else must approve it."))
    siblings = Budget.objects.filter(project=budget.project, programme=budget.programme)
    if (
        budget.kind == BudgetKind.ORIGINAL
        and siblings.filter(kind=BudgetKind.ORIGINAL, status=BudgetStatus.APPROVED).exists()
    ):
        raise ValidationError(
            gettext("The original budget is already approved and is kept as it is."),
            code="original_kept",
        )
    now = timezone.now()
    decider = acting_user(actor)
    for previous in siblings.filter(kind=budget.kind, status=BudgetStatus.APPROVED).exclude(
        pk=budget.pk
    ):
        update_audited(actor=actor, instance=previous, changes={"status": BudgetStatus.SUPERSEDED})
    update_audited(
        actor=actor,
        instance=budget,
        changes={
            "status": BudgetStatus.APPROVED,
            "decided_by": decider,
            "decided_at": now,
            "decision_comment": comment.strip(),
        },
    )
    if (
        budget.kind == BudgetKind.APPROVED
        and not siblings.filter(kind=BudgetKind.ORIGINAL, status=BudgetStatus.APPROVED).exists()
    ):
        number = (
            siblings.filter(kind=BudgetKind.ORIGINAL).aggregate(last=Max("number"))["last"] or 0
        ) + 1
        original = create_audited(
            actor=actor,
            instance=Budget(
                project=budget.project,
                programme=budget.programme,
                kind=BudgetKind.ORIGINAL,
                number=number,
                name=budget.name,
                status=BudgetStatus.APPROVED,
                currency=budget.currency,
                notes=budget.notes,
                created_by=budget.created_by,
                submitted_by=budget.submitted_by,
                submitted_at=budget.submitted_at,
                decided_by=decider,
                decided_at=now,
                decision_comment=gettext(
                    "Kept as the original budget when v%(number)d was approved."
                )
                % {"number": budget.number},
            ),
        )
        BudgetLine.objects.bulk_create(
            BudgetLine(
                budget=original,
                category_id=line.category_id,
                expense_type=line.expense_type,
                month=line.month,
                amount=line.amount,
            )
            for line in budget.lines.all()
        )
    if budget.kind == BudgetKind.APPROVED and budget.project is not None:
        _set_project_budget(actor, budget)
    return budget


def _set_project_budget(actor: Any, budget: Budget) -> None:
    project = budget.project
    assert project is not None
    total = budget.lines.aggregate(total=Sum("amount"))["total"] or ZERO
    converted = rate_table().convert_between(
        total, budget.currency, project.currency, timezone.localdate()
    )
    # The approval is the authority to change the project's budget: approvers (finance,
    # executives) need not hold the Change permission the project edit page asks for.
    update_audited(actor=actor, instance=project, changes={"budget": quantize_money(converted)})


@transaction.atomic
def budget_reject(*, actor: Any, budget: Budget, comment: str) -> Budget:
    """Send a submitted version back with a reason (required); it stays as history and can be
    copied into a new draft."""
    _require_decision(actor, budget)
    if not comment or not comment.strip():
        raise ValidationError(
            {"comment": gettext("Say why the budget is rejected.")}, code="comment_required"
        )
    return update_audited(
        actor=actor,
        instance=budget,
        changes={
            "status": BudgetStatus.REJECTED,
            "decided_by": acting_user(actor),
            "decided_at": timezone.now(),
            "decision_comment": comment.strip(),
        },
    )


@transaction.atomic
def budget_delete(*, actor: Any, budget: Budget) -> None:
    """Delete a draft (submitted and decided versions are history)."""
    _require_draft_rights(actor, budget.owner)
    _require_draft(budget)
    delete_audited(actor=actor, instance=budget)


@transaction.atomic
def budget_approve_change(
    *,
    actor: Any,
    project: Project,
    amount: Decimal,
    currency: str,
    on: dt.date,
    name: str,
    comment: str = "",
    approved_by: Any = None,
    category_code: str = EXTERNAL_CATEGORY,
) -> Budget:
    """A new approved version of the project's current approved budget, made of its lines plus
    ``amount`` (in ``currency``, converted to the budget's currency on ``on``) in the month of
    ``on`` under the cost category ``category_code``.

    It is approved at once, on the authority of a change request that ``approved_by`` approved:
    the change's approval replaces the budget's own submit and approve steps, so the approver
    need not hold the budget rights and the person applying the change (who may change the
    project's budget drafts) need not be someone else. The previous approved version is
    superseded and the project's budget follows, as with :func:`budget_approve`. A negative
    amount lowers the month's amount of that category.

    Raises a ValidationError naming the problem, and changes nothing, when the project has no
    approved budget, the category does not exist, ``on`` is in a locked period, an exchange
    rate is missing or a reduction is larger than the month's amount.
    """
    from pilotage.finance.locks import ensure_open

    _require_draft_rights(actor, project)
    current = (
        Budget.objects.filter(
            project=project, kind=BudgetKind.APPROVED, status=BudgetStatus.APPROVED
        )
        .order_by("-number")
        .first()
    )
    if current is None:
        raise ValidationError(
            gettext("The project %(project)s has no approved budget to raise.")
            % {"project": project.code},
            code="no_budget",
        )
    category = CostCategory.objects.filter(code=category_code).first()
    if category is None:
        raise ValidationError(
            gettext(
                "There is no cost category %(code)s to record the change under: add it under "
                "Finance › Settings."
            )
            % {"code": category_code},
            code="no_category",
        )
    ensure_open([on])
    converted = rate_table().convert_between(amount, currency, current.currency, on)
    month = month_start(on)
    budget = budget_create(
        actor=actor,
        project=project,
        kind=BudgetKind.APPROVED,
        name=name,
        currency=current.currency,
        notes=comment,
        copy_from=current,
    )
    before = _lines_text(budget)
    line = BudgetLine.objects.filter(
        budget=budget, category=category, expense_type=category.expense_type, month=month
    ).first()
    existing = line.amount if line is not None else ZERO
    total = existing + converted
    if total < 0:
        raise ValidationError(
            gettext(
                "The budget has %(existing)s %(currency)s for %(category)s in %(month)s: a "
                "reduction of %(reduction)s %(currency)s cannot be placed there."
            )
            % {
                "existing": f"{existing:,.2f}",
                "currency": current.currency,
                "category": category.name,
                "month": f"{month:%Y-%m}",
                "reduction": f"{-converted:,.2f}",
            },
            code="negative_line",
        )
    if line is None and total:
        BudgetLine.objects.create(
            budget=budget,
            category=category,
            expense_type=category.expense_type,
            month=month,
            amount=total,
        )
    elif line is not None and total:
        line.amount = total
        line.save(update_fields=["amount"])
    elif line is not None:
        line.delete()
    after = _lines_text(budget)
    if before != after:
        audit.record_fields_changed(actor=actor, instance=budget, fields={"lines": (before, after)})
    now = timezone.now()
    for previous in Budget.objects.filter(
        project=project, kind=BudgetKind.APPROVED, status=BudgetStatus.APPROVED
    ).exclude(pk=budget.pk):
        update_audited(actor=actor, instance=previous, changes={"status": BudgetStatus.SUPERSEDED})
    update_audited(
        actor=actor,
        instance=budget,
        changes={
            "status": BudgetStatus.APPROVED,
            "submitted_by": acting_user(actor),
            "submitted_at": now,
            "decided_by": approved_by if getattr(approved_by, "pk", None) else None,
            "decided_at": now,
            "decision_comment": comment.strip(),
        },
    )
    _set_project_budget(actor, budget)
    return budget
