"""API operations of budgets and costs: cost categories, exchange rates, finance settings,
budget versions with their lines and approval, the portfolio roll-up, cost baselines, actual
costs and the import of ERP exports.

Money is a string of a decimal amount with two decimals ("1234.50"); amounts may be sent as
strings or numbers. The reference lists are read by anyone holding a role and changed with
the Manage finance permission organisation-wide.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import PlainSerializer

from pilotage.accounts.api import UserRef
from pilotage.accounts.permissions import has_any_role
from pilotage.core.api import (
    ApiRequest,
    InputSchema,
    Page,
    PageParams,
    paginate,
    patch_schema,
    responses,
)
from pilotage.core.errors import ForbiddenError, NotFoundError
from pilotage.finance import budget_import, budgets, costs, erp_import
from pilotage.finance.currency import finance_settings
from pilotage.finance.models import (
    ActualCost,
    ActualCostSource,
    Budget,
    BudgetKind,
    BudgetStatus,
    CostBaseline,
    CostCategory,
    ExchangeRate,
    ExpenseType,
    Supplier,
)
from pilotage.planning.models import Task
from pilotage.portfolio.models import Currency, Programme, Project
from pilotage.portfolio.selectors import (
    portfolio_get_for_user,
    programme_get_for_user,
    project_get_for_user,
)

router = Router(tags=["finance"])


def _money_text(value: Decimal) -> str:
    return f"{value:.2f}"


Money = Annotated[Decimal, PlainSerializer(_money_text, return_type=str)]
MoneyOrNone = Annotated[
    Decimal | None,
    PlainSerializer(lambda v: None if v is None else f"{v:.2f}", return_type=str | None),
]
MONEY = 'A decimal amount as a string ("1234.50").'
PeriodName = Literal["month", "quarter", "year"]


# Reference lists ------------------------------------------------------------------------------


class CostCategoryOut(Schema):
    id: int
    code: str
    name: str
    expense_type: ExpenseType = Field(..., description="The default type: capex or opex.")
    is_active: bool


class CostCategoryIn(InputSchema):
    code: str = Field(..., max_length=32)
    name: str = Field(..., max_length=200)
    expense_type: ExpenseType = ExpenseType.OPEX
    is_active: bool = True


if TYPE_CHECKING:
    CostCategoryPatch = CostCategoryIn
else:
    CostCategoryPatch = patch_schema(CostCategoryIn, "CostCategoryPatch")


class ExchangeRateOut(Schema):
    id: int
    currency: str
    valid_from: dt.date = Field(..., description="The rate applies from this date.")
    rate: Decimal = Field(..., description="Units of the reporting currency for one unit.")


class ExchangeRateIn(InputSchema):
    currency: Currency
    valid_from: dt.date
    rate: Decimal = Field(..., gt=0, description="Units of the reporting currency for one unit.")


class FinanceSettingsOut(Schema):
    reporting_currency: str
    invoice_work_done_percent: Decimal
    invoice_overbilling_tolerance_percent: Decimal
    invoice_rate_tolerance_percent: Decimal


class FinanceSettingsPatch(InputSchema):
    reporting_currency: Currency | None = None
    invoice_work_done_percent: Decimal | None = Field(None, ge=0, le=100)
    invoice_overbilling_tolerance_percent: Decimal | None = Field(None, ge=0, le=100)
    invoice_rate_tolerance_percent: Decimal | None = Field(None, ge=0, le=100)


def _category(request: ApiRequest, pk: int) -> CostCategory:
    try:
        return budgets.cost_category_list(user=request.auth).get(pk=pk)
    except (CostCategory.DoesNotExist, ValueError) as exc:
        raise NotFoundError() from exc


@router.get(
    "/cost-categories",
    response=responses(200, Page[CostCategoryOut]),
    summary="List cost categories",
)
def cost_category_list(
    request: ApiRequest, page: Query[PageParams], active: bool | None = None
) -> dict[str, Any]:
    return paginate(budgets.cost_category_list(user=request.auth, active=active), page)


@router.post(
    "/cost-categories", response=responses(201, CostCategoryOut), summary="Add a cost category"
)
def cost_category_create(request: ApiRequest, payload: CostCategoryIn) -> Status[Any]:
    category = budgets.cost_category_create(actor=request.auth, **payload.model_dump())
    return Status(201, category)


@router.patch(
    "/cost-categories/{category_id}",
    response=responses(200, CostCategoryOut),
    summary="Change a cost category",
)
def cost_category_update(request: ApiRequest, category_id: int, payload: CostCategoryPatch) -> Any:
    category = _category(request, category_id)
    return budgets.cost_category_update(actor=request.auth, category=category, **payload.sent())


@router.delete(
    "/cost-categories/{category_id}",
    response=responses(204, None),
    summary="Delete a cost category",
)
def cost_category_delete(request: ApiRequest, category_id: int) -> Status[None]:
    """Refused while budgets or actual costs use it: make it inactive instead."""
    budgets.cost_category_delete(actor=request.auth, category=_category(request, category_id))
    return Status(204, None)


@router.get(
    "/exchange-rates",
    response=responses(200, Page[ExchangeRateOut]),
    summary="List exchange rates",
)
def exchange_rate_list(
    request: ApiRequest, page: Query[PageParams], currency: Currency | None = None
) -> dict[str, Any]:
    """Each rate holds from its date until the next rate of the same currency."""
    return paginate(budgets.exchange_rate_list(user=request.auth, currency=currency), page)


@router.post(
    "/exchange-rates",
    response={200: ExchangeRateOut, **responses(201, ExchangeRateOut)},
    summary="Set an exchange rate from a date",
)
def exchange_rate_set(request: ApiRequest, payload: ExchangeRateIn) -> Status[Any]:
    """Answers 201 with a new rate, 200 when it replaced the rate of the same date."""
    values = payload.model_dump()
    existed = ExchangeRate.objects.filter(
        currency=values["currency"], valid_from=values["valid_from"]
    ).exists()
    rate = budgets.exchange_rate_set(actor=request.auth, **values)
    return Status(200 if existed else 201, rate)


@router.delete(
    "/exchange-rates/{rate_id}", response=responses(204, None), summary="Delete an exchange rate"
)
def exchange_rate_delete(request: ApiRequest, rate_id: int) -> Status[None]:
    try:
        rate = budgets.exchange_rate_list(user=request.auth).get(pk=rate_id)
    except ExchangeRate.DoesNotExist as exc:
        raise NotFoundError() from exc
    budgets.exchange_rate_delete(actor=request.auth, rate=rate)
    return Status(204, None)


@router.get(
    "/finance/settings", response=responses(200, FinanceSettingsOut), summary="Finance settings"
)
def finance_settings_detail(request: ApiRequest) -> Any:
    if not has_any_role(request.auth):
        raise ForbiddenError(gettext("You do not have permission to do this."))
    return finance_settings()


@router.patch(
    "/finance/settings",
    response=responses(200, FinanceSettingsOut),
    summary="Change the finance settings",
)
def finance_settings_update(request: ApiRequest, payload: FinanceSettingsPatch) -> Any:
    return budgets.finance_settings_update(actor=request.auth, **payload.sent())


# Budgets --------------------------------------------------------------------------------------


class BudgetLineOut(Schema):
    category_id: int
    category: str
    expense_type: ExpenseType
    month: dt.date = Field(..., description="The first day of the month.")
    amount: Money = Field(..., description=MONEY)

    @staticmethod
    def resolve_category(line: Any) -> str:
        return str(line.category.name)


class BudgetOut(Schema):
    id: int
    project_id: int | None
    programme_id: int | None
    kind: BudgetKind = Field(..., description="original, approved (current approved), forecast.")
    number: int = Field(..., description="The version number within its kind.")
    name: str
    status: BudgetStatus
    currency: str
    notes: str
    total: Money = Field(..., description=MONEY)
    created_by: UserRef | None
    created_at: dt.datetime
    submitted_by: UserRef | None
    submitted_at: dt.datetime | None
    decided_by: UserRef | None
    decided_at: dt.datetime | None
    decision_comment: str

    @staticmethod
    def resolve_total(budget: Budget) -> Decimal:
        return getattr(budget, "total", None) or Decimal(0)


class BudgetDetailOut(BudgetOut):
    lines: list[BudgetLineOut]

    @staticmethod
    def resolve_lines(budget: Budget) -> list[Any]:
        return list(budget.lines.select_related("category").order_by("month", "category__code"))


class BudgetIn(InputSchema):
    kind: BudgetKind = BudgetKind.APPROVED
    name: str = Field("", max_length=200)
    currency: Currency | None = Field(None, description="Default: the owner's currency.")
    notes: str = ""
    copy_from_id: int | None = Field(None, description="A version whose amounts to copy.")


class BudgetPatch(InputSchema):
    name: str | None = Field(None, max_length=200)
    currency: Currency | None = None
    notes: str | None = None


class BudgetLineIn(InputSchema):
    category_id: int
    expense_type: ExpenseType | None = Field(None, description="Default: the category's.")
    month: dt.date = Field(..., description="Any day of the month.")
    amount: Decimal = Field(..., ge=0, description=MONEY)


class BudgetLinesIn(InputSchema):
    lines: list[BudgetLineIn]


class DecisionIn(InputSchema):
    comment: str = Field("", description="Required to reject.")


class PhasedRowOut(Schema):
    category: str
    expense_type: ExpenseType
    values: list[Money]
    total: Money


class PhasedOut(Schema):
    period: PeriodName
    periods: list[dt.date] = Field(..., description="The first day of each period.")
    labels: list[str]
    rows: list[PhasedRowOut]
    totals: list[Money]
    total: Money
    capex: Money
    opex: Money
    currency: str


def _budget(request: ApiRequest, budget_id: int) -> Budget:
    return budgets.budget_get_for_user(budget_id, user=request.auth)


def _budget_out(request: ApiRequest, budget_id: int) -> Budget:
    return _budget(request, budget_id)


def _create(
    request: ApiRequest, payload: BudgetIn, *, project: Project | None, programme: Programme | None
) -> Budget:
    values = payload.model_dump()
    copy_from_id = values.pop("copy_from_id")
    copy_from = None
    if copy_from_id is not None:
        try:
            copy_from = _budget(request, copy_from_id)
        except NotFoundError as exc:
            raise ValidationError({"copy_from_id": gettext("Unknown budget.")}) from exc
    return budgets.budget_create(
        actor=request.auth, project=project, programme=programme, copy_from=copy_from, **values
    )


@router.get(
    "/projects/{project_id}/budgets",
    response=responses(200, Page[BudgetOut]),
    summary="List a project's budget versions",
)
def project_budget_list(
    request: ApiRequest, project_id: int, page: Query[PageParams]
) -> dict[str, Any]:
    project = project_get_for_user(project_id, user=request.auth)
    return paginate(budgets.budget_list(user=request.auth, project=project), page)


@router.post(
    "/projects/{project_id}/budgets",
    response=responses(201, BudgetDetailOut),
    summary="Create a draft budget version of a project",
)
def project_budget_create(request: ApiRequest, project_id: int, payload: BudgetIn) -> Status[Any]:
    """Needs Change (project managers) or Manage finance on the project."""
    project = project_get_for_user(project_id, user=request.auth)
    budget = _create(request, payload, project=project, programme=None)
    return Status(201, _budget_out(request, budget.pk))


@router.get(
    "/programmes/{programme_id}/budgets",
    response=responses(200, Page[BudgetOut]),
    summary="List a programme's budget versions",
)
def programme_budget_list(
    request: ApiRequest, programme_id: int, page: Query[PageParams]
) -> dict[str, Any]:
    programme = programme_get_for_user(programme_id, user=request.auth)
    return paginate(budgets.budget_list(user=request.auth, programme=programme), page)


@router.post(
    "/programmes/{programme_id}/budgets",
    response=responses(201, BudgetDetailOut),
    summary="Create a draft budget version of a programme",
)
def programme_budget_create(
    request: ApiRequest, programme_id: int, payload: BudgetIn
) -> Status[Any]:
    programme = programme_get_for_user(programme_id, user=request.auth)
    budget = _create(request, payload, project=None, programme=programme)
    return Status(201, _budget_out(request, budget.pk))


@router.get(
    "/budgets/{budget_id}", response=responses(200, BudgetDetailOut), summary="Get a budget"
)
def budget_detail(request: ApiRequest, budget_id: int) -> Any:
    return _budget_out(request, budget_id)


@router.get(
    "/budgets/{budget_id}/phased",
    response=responses(200, PhasedOut),
    summary="A budget's amounts by category and period",
)
def budget_phased(request: ApiRequest, budget_id: int, period: PeriodName = "month") -> Any:
    budget = _budget(request, budget_id)
    phasing = budgets.budget_phased(budget, period)
    return {
        "period": period,
        "periods": phasing.periods,
        "labels": phasing.labels,
        "rows": [
            {
                "category": row.category.name,
                "expense_type": row.expense_type,
                "values": row.values,
                "total": row.total,
            }
            for row in phasing.rows
        ],
        "totals": phasing.totals,
        "total": phasing.total,
        "capex": phasing.capex,
        "opex": phasing.opex,
        "currency": budget.currency,
    }


@router.patch(
    "/budgets/{budget_id}", response=responses(200, BudgetDetailOut), summary="Change a draft"
)
def budget_update(request: ApiRequest, budget_id: int, payload: BudgetPatch) -> Any:
    budget = _budget(request, budget_id)
    budgets.budget_update(actor=request.auth, budget=budget, **payload.sent())
    return _budget_out(request, budget_id)


@router.delete("/budgets/{budget_id}", response=responses(204, None), summary="Delete a draft")
def budget_delete(request: ApiRequest, budget_id: int) -> Status[None]:
    budgets.budget_delete(actor=request.auth, budget=_budget(request, budget_id))
    return Status(204, None)


@router.put(
    "/budgets/{budget_id}/lines",
    response=responses(200, BudgetDetailOut),
    summary="Replace a draft's amounts",
)
def budget_lines_replace(request: ApiRequest, budget_id: int, payload: BudgetLinesIn) -> Any:
    """The whole grid: every amount the draft keeps (zeros are left out). All or nothing."""
    budget = _budget(request, budget_id)
    categories = {category.pk: category for category in CostCategory.objects.all()}
    rows = []
    unknown = []
    for number, line in enumerate(payload.lines, start=1):
        category = categories.get(line.category_id)
        if category is None:
            unknown.append(
                gettext("Row %(row)d: unknown cost category %(id)s.")
                % {"row": number, "id": line.category_id}
            )
            continue
        rows.append(
            {
                "category": category,
                "expense_type": line.expense_type or category.expense_type,
                "month": line.month,
                "amount": line.amount,
            }
        )
    if unknown:
        raise ValidationError({"lines": unknown})
    budgets.budget_lines_replace(actor=request.auth, budget=budget, rows=rows)
    return _budget_out(request, budget_id)


@router.post(
    "/budgets/{budget_id}/submit",
    response=responses(200, BudgetDetailOut),
    summary="Submit a draft for approval",
)
def budget_submit(request: ApiRequest, budget_id: int) -> Any:
    budgets.budget_submit(actor=request.auth, budget=_budget(request, budget_id))
    return _budget_out(request, budget_id)


@router.post(
    "/budgets/{budget_id}/approve",
    response=responses(200, BudgetDetailOut),
    summary="Approve a submitted budget",
)
def budget_approve(request: ApiRequest, budget_id: int, payload: DecisionIn) -> Any:
    """Needs Approve on the owner; not by whoever submitted it (unless an administrator).
    Supersedes the previously approved version of the same kind."""
    budgets.budget_approve(
        actor=request.auth, budget=_budget(request, budget_id), comment=payload.comment
    )
    return _budget_out(request, budget_id)


@router.post(
    "/budgets/{budget_id}/reject",
    response=responses(200, BudgetDetailOut),
    summary="Reject a submitted budget",
)
def budget_reject(request: ApiRequest, budget_id: int, payload: DecisionIn) -> Any:
    budgets.budget_reject(
        actor=request.auth, budget=_budget(request, budget_id), comment=payload.comment
    )
    return _budget_out(request, budget_id)


class RollupRowOut(Schema):
    level: Literal["programme", "project", "total"]
    id: int | None
    code: str
    name: str
    programme_id: int | None
    original: MoneyOrNone = Field(None, description=MONEY + " Null: no budget or no rate.")
    approved: MoneyOrNone = Field(None, description=MONEY)
    forecast: MoneyOrNone = Field(None, description=MONEY)
    projects_original: MoneyOrNone = Field(None, description="For a programme: its projects'.")
    projects_approved: MoneyOrNone = None
    projects_forecast: MoneyOrNone = None
    problems: list[str] = Field(..., description="Missing exchange rates, by sentence.")


class RollupOut(Schema):
    currency: str = Field(..., description="The reporting currency.")
    rows: list[RollupRowOut]


@router.get(
    "/finance/budget-rollup",
    response=responses(200, RollupOut),
    summary="Budgets of programmes and projects in the reporting currency",
)
def budget_rollup(request: ApiRequest, portfolio_id: int | None = None) -> Any:
    portfolio = portfolio_get_for_user(portfolio_id, user=request.auth) if portfolio_id else None
    rows = budgets.portfolio_budget_rollup(user=request.auth, portfolio=portfolio)
    return {
        "currency": finance_settings().reporting_currency,
        "rows": [{**row.__dict__, "id": row.pk} for row in rows],
    }


# Cost baselines and actual costs -----------------------------------------------------------------


class CostBaselineOut(Schema):
    id: int
    name: str
    is_current: bool
    currency: str
    budget_at_completion: Money = Field(..., description=MONEY)
    labour_cost: Money
    fixed_cost: Money
    start: dt.date | None
    finish: dt.date | None
    captured_at: dt.datetime
    captured_by: UserRef | None
    daily_cost: dict[str, str] = Field(..., description="Planned cost by ISO day.")


class CostBaselineIn(InputSchema):
    name: str = Field("", max_length=200)


class ActualCostOut(Schema):
    id: int
    project_id: int
    incurred_on: dt.date
    amount: Money = Field(..., description=MONEY + " Negative for a credit note.")
    currency: str
    source: ActualCostSource
    category_id: int | None
    expense_type: ExpenseType
    task_id: int | None
    supplier_id: int | None
    resource_id: int | None
    minutes: int | None
    reference: str
    description: str
    created_at: dt.datetime


class ActualCostIn(InputSchema):
    incurred_on: dt.date
    amount: Decimal = Field(..., description=MONEY)
    currency: Currency | None = Field(None, description="Default: the project's currency.")
    source: Literal["expense", "erp"] = "expense"
    category_id: int | None = None
    expense_type: ExpenseType | None = None
    task_id: int | None = None
    supplier_id: int | None = None
    reference: str = Field("", max_length=100)
    description: str = Field("", max_length=255)


class ActualCostFilters(Schema):
    source: ActualCostSource | None = None
    category_id: int | None = None
    start: dt.date | None = None
    finish: dt.date | None = None


@router.get(
    "/projects/{project_id}/cost-baselines",
    response=responses(200, Page[CostBaselineOut]),
    summary="List a project's cost baselines",
)
def cost_baseline_list(
    request: ApiRequest, project_id: int, page: Query[PageParams]
) -> dict[str, Any]:
    project = project_get_for_user(project_id, user=request.auth)
    return paginate(costs.cost_baseline_list(project), page)


@router.post(
    "/projects/{project_id}/cost-baselines",
    response=responses(201, CostBaselineOut),
    summary="Capture a project's cost baseline",
)
def cost_baseline_capture(
    request: ApiRequest, project_id: int, payload: CostBaselineIn
) -> Status[Any]:
    """Assignments × rates plus fixed costs, phased by day; it becomes the current one."""
    project = project_get_for_user(project_id, user=request.auth)
    baseline: CostBaseline = costs.cost_baseline_capture(
        actor=request.auth, project=project, name=payload.name
    )
    return Status(201, baseline)


@router.get(
    "/projects/{project_id}/actual-costs",
    response=responses(200, Page[ActualCostOut]),
    summary="List a project's actual costs",
)
def actual_cost_list(
    request: ApiRequest,
    project_id: int,
    filters: Query[ActualCostFilters],
    page: Query[PageParams],
) -> dict[str, Any]:
    project = project_get_for_user(project_id, user=request.auth)
    rows = costs.actual_cost_list(
        user=request.auth,
        project=project,
        source=filters.source,
        category=filters.category_id,
        start=filters.start,
        finish=filters.finish,
    )
    return paginate(rows, page)


def _optional(model: Any, pk: int | None, field: str, extra: dict[str, Any] | None = None) -> Any:
    if pk is None:
        return None
    found = model.objects.filter(pk=pk, **(extra or {})).first()
    if found is None:
        raise ValidationError({field: gettext("Select a valid choice.")})
    return found


@router.post(
    "/projects/{project_id}/actual-costs",
    response=responses(201, ActualCostOut),
    summary="Record an expense or ERP cost",
)
def actual_cost_create(request: ApiRequest, project_id: int, payload: ActualCostIn) -> Status[Any]:
    """Expenses: Manage finance or Change on the project; ERP costs: Manage finance. A negative
    amount only as an ERP credit note with its reference."""
    project = project_get_for_user(project_id, user=request.auth)
    values = payload.model_dump()
    cost = costs.actual_cost_create(
        actor=request.auth,
        project=project,
        incurred_on=values["incurred_on"],
        amount=values["amount"],
        currency=values["currency"],
        source=values["source"],
        category=_optional(CostCategory, values["category_id"], "category_id"),
        expense_type=values["expense_type"],
        task=_optional(Task, values["task_id"], "task_id", {"project": project}),
        supplier=_optional(Supplier, values["supplier_id"], "supplier_id"),
        reference=values["reference"],
        description=values["description"],
    )
    return Status(201, cost)


# ERP import ---------------------------------------------------------------------------------------
# Declared before /actual-costs/{cost_id}: "import" must not be taken for an id.


class ImportErrorOut(Schema):
    row: int
    column: str
    message: str


class ImportRowOut(Schema):
    row: int
    incurred_on: dt.date | None
    amount: MoneyOrNone
    currency: str
    project_id: int | None
    task_id: int | None
    category_id: int | None
    expense_type: str
    supplier_id: int | None
    reference: str
    description: str
    ok: bool


class ImportOut(Schema):
    file: str
    headers: list[str]
    mapping: dict[str, str] = Field(..., description="Column index (0-based) to field key.")
    mapping_source: str = Field(..., description="given, saved or guessed.")
    mapping_problems: list[str]
    rows: int
    valid_rows: int
    error_rows: int
    totals: dict[str, Money] = Field(..., description="Importable amounts by currency.")
    errors: list[ImportErrorOut]
    preview: list[ImportRowOut] = Field(..., description="The first 100 rows.")
    applied: bool
    created: int


@router.post(
    "/actual-costs/import",
    response=responses(200, ImportOut),
    summary="Import actual costs from an ERP export",
)
def actual_cost_import(
    request: ApiRequest,
    file: File[UploadedFile],
    project_id: Form[int | None] = None,
    mapping: Form[str | None] = None,
    dry_run: Form[bool] = True,
    skip_errors: Form[bool] = False,
) -> Any:
    """A CSV or Excel export (5 MB at most). `mapping` is JSON, column index to field key
    (incurred_on, amount, currency, project, task, category, expense_type, supplier, reference,
    description); by default a saved mapping with the same headers, else a guess. With
    `dry_run` (the default) nothing is written; otherwise the rows are recorded, all or nothing
    unless `skip_errors`."""
    project = project_get_for_user(project_id, user=request.auth) if project_id else None
    columns: dict[Any, str] | None = None
    if mapping:
        try:
            parsed = json.loads(mapping)
            if not isinstance(parsed, dict):
                raise ValueError
            columns = {int(k): str(v) for k, v in parsed.items()}
        except ValueError as exc:
            raise ValidationError(
                {"mapping": gettext("Give the mapping as a JSON object of column to field.")}
            ) from exc
    content = file.read()
    preview = erp_import.erp_preview(
        actor=request.auth,
        name=file.name or "export.csv",
        content=content,
        project=project,
        mapping=columns,
    )
    created = 0
    if not dry_run:
        created = erp_import.erp_apply(actor=request.auth, preview=preview, skip_errors=skip_errors)
    return {
        "file": preview.name,
        "headers": preview.headers,
        "mapping": {str(k): v for k, v in preview.mapping.items()},
        "mapping_source": preview.mapping_source,
        "mapping_problems": preview.mapping_problems,
        "rows": len(preview.rows),
        "valid_rows": len(preview.valid_rows),
        "error_rows": preview.error_rows,
        "totals": preview.totals,
        "errors": [error.__dict__ for error in preview.errors],
        "preview": [
            {
                "row": row.number,
                "incurred_on": row.incurred_on,
                "amount": row.amount,
                "currency": row.currency,
                "project_id": row.project.pk if row.project else None,
                "task_id": row.task.pk if row.task else None,
                "category_id": row.category.pk if row.category else None,
                "expense_type": row.expense_type,
                "supplier_id": row.supplier.pk if row.supplier else None,
                "reference": row.reference,
                "description": row.description,
                "ok": row.ok,
            }
            for row in preview.rows[:100]
        ],
        "applied": not dry_run,
        "created": created,
    }


@router.delete(
    "/actual-costs/{cost_id}", response=responses(204, None), summary="Delete an actual cost"
)
def actual_cost_delete(request: ApiRequest, cost_id: int) -> Status[None]:
    """Only expenses and ERP costs; timesheet and invoice costs go when those are reopened."""
    cost: ActualCost = costs.actual_cost_get_for_user(cost_id, user=request.auth)
    costs.actual_cost_delete(actor=request.auth, cost=cost)
    return Status(204, None)


# Budget import --------------------------------------------------------------------------------


def _mapping_json(mapping: str | None) -> dict[Any, str] | None:
    if not mapping:
        return None
    try:
        parsed = json.loads(mapping)
        if not isinstance(parsed, dict):
            raise ValueError
        return {int(k): str(v) for k, v in parsed.items()}
    except ValueError as exc:
        raise ValidationError(
            {"mapping": gettext("Give the mapping as a JSON object of column to field.")}
        ) from exc


class BudgetImportLineOut(Schema):
    row: int
    month: dt.date | None
    category_id: int | None
    expense_type: str
    amount: MoneyOrNone
    ok: bool


class BudgetImportOut(Schema):
    file: str
    headers: list[str]
    layout: str = Field(..., description="long (one amount per row) or wide (a column a month).")
    mapping: dict[str, str] = Field(..., description="Column index (0-based) to field key.")
    month_columns: dict[str, dt.date] = Field(..., description="Wide layout: column to month.")
    mapping_source: str = Field(..., description="given, saved or guessed.")
    mapping_problems: list[str]
    rows: int
    valid_lines: int
    error_rows: int
    total: Money
    errors: list[ImportErrorOut]
    preview: list[BudgetImportLineOut] = Field(..., description="The first 100 lines.")
    applied: bool
    lines: int = Field(..., description="The lines the budget has after the import.")


@router.post(
    "/budgets/{budget_id}/lines/import",
    response=responses(200, BudgetImportOut),
    summary="Import a draft's lines from a CSV or Excel file",
)
def budget_lines_import(
    request: ApiRequest,
    budget_id: int,
    file: File[UploadedFile],
    mapping: Form[str | None] = None,
    dry_run: Form[bool] = True,
    skip_errors: Form[bool] = False,
) -> Any:
    """A file of budget amounts (5 MB at most), one per row (month, category, expense_type,
    amount) or one row per category with a column per month. `mapping` is JSON, column index
    to field key; by default a saved mapping with the same headers, else a guess. With
    `dry_run` (the default) nothing is written; otherwise the lines replace those of the draft,
    all or nothing unless `skip_errors`."""
    budget = budgets.budget_get_for_user(budget_id, user=request.auth)
    preview = budget_import.budget_import_preview(
        actor=request.auth,
        owner=budget.owner,
        name=file.name or "budget.csv",
        content=file.read(),
        mapping=_mapping_json(mapping),
    )
    if not dry_run:
        budget_import.budget_import_apply(
            actor=request.auth, preview=preview, budget=budget, skip_errors=skip_errors
        )
    return {
        "file": preview.name,
        "headers": preview.headers,
        "layout": preview.layout,
        "mapping": {str(k): v for k, v in preview.mapping.items()},
        "month_columns": {str(k): v for k, v in preview.month_columns.items()},
        "mapping_source": preview.mapping_source,
        "mapping_problems": preview.mapping_problems,
        "rows": preview.rows,
        "valid_lines": len(preview.valid_lines),
        "error_rows": preview.error_rows,
        "total": preview.total,
        "errors": [error.__dict__ for error in preview.errors],
        "preview": [
            {
                "row": line.number,
                "month": line.month,
                "category_id": line.category.pk if line.category else None,
                "expense_type": line.expense_type,
                "amount": line.amount,
                "ok": line.ok,
            }
            for line in preview.lines[:100]
        ],
        "applied": not dry_run,
        "lines": budget.lines.count(),
    }
