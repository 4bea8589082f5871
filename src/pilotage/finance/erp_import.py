"""Import actual costs from ERP exports: CSV or Excel files as SAP, Oracle or a French ledger
writes them, with a column mapping (guessed, saved, or corrected by the user), a preview with
row-level errors, and an all-or-nothing apply.

The uploaded file waits between the preview and the apply as a temporary file of at most 5 MB
under the data directory (``imports/actual-costs/<token>``), readable only by the user who
uploaded it and removed after the apply or after two days; nothing else is stored.

A row is refused, with a message naming it, when its project or supplier or cost category or
task is unknown, its currency has no exchange rate on its date, its date is in a locked
period, its amount or date cannot be read, a negative amount has no document reference, or the
same cost (project, reference, date and amount) is already in the ledger from an ERP import —
so importing the same file twice writes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, cast

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext, gettext_noop

from pilotage.accounts.permissions import Action, can, has_any_role, visible
from pilotage.core import audit
from pilotage.core.errors import ForbiddenError
from pilotage.core.services import acting_user
from pilotage.exchange.models import ColumnMapping
from pilotage.finance.costs import can_record_cost
from pilotage.finance.currency import CurrencyRateMissingError, rate_table
from pilotage.finance.models import (
    ActualCost,
    ActualCostSource,
    CostCategory,
    ExpenseType,
    PeriodLock,
    Supplier,
)
from pilotage.finance.sheet_import import (
    MAX_UPLOAD_BYTES,
    RowsPreview,
    SheetRowError,
    StoredUpload,
    UploadStore,
    choose_mapping,
    mapped_rows,
    mapping_list,
    mapping_save,
    read_sheet,
    refuse_unusable,
    row_error,
)
from pilotage.interop.tabular import (
    Choice,
    ImportTarget,
    Table,
    TableRow,
    TargetField,
    check_mapping,
    register_target,
)
from pilotage.planning.models import Task
from pilotage.portfolio.models import Currency, Project

__all__ = [
    "ACTUAL_COSTS_TARGET",
    "MAX_UPLOAD_BYTES",
    "ErpPreview",
    "ErpRow",
    "ErpRowError",
    "StoredUpload",
    "erp_apply",
    "erp_mapping_list",
    "erp_mapping_save",
    "erp_preview",
    "erp_upload_discard",
    "erp_upload_get",
    "erp_upload_store",
]

TARGET_KEY = "actual_costs"


def _text_field(key: str, label: str, *synonyms: str, required: bool = False) -> TargetField:
    return TargetField(key=key, label=label, kind="text", synonyms=synonyms, required=required)


# The English labels of the fields below, for the translation catalogue (the preview shows
# them translated); a test checks that the list names every field.
FIELD_LABELS = (
    gettext_noop("Date"),
    gettext_noop("Amount"),
    gettext_noop("Currency"),
    gettext_noop("Project"),
    gettext_noop("Task"),
    gettext_noop("Cost category"),
    gettext_noop("CAPEX or OPEX"),
    gettext_noop("Supplier"),
    gettext_noop("Reference"),
    gettext_noop("Description"),
)

ACTUAL_COSTS_TARGET = ImportTarget(
    TARGET_KEY,
    "Actual costs",
    (
        TargetField(
            key="incurred_on",
            label="Date",
            kind="date",
            required=True,
            synonyms=(
                "Posting Date",
                "Pstng Date",
                "Document Date",
                "Accounting Date",
                "GL Date",
                "Expenditure Item Date",
                "Incurred on",
                "Date comptable",
                "Date de comptabilisation",
                "Date d'imputation",
                "Date de pièce",
            ),
        ),
        TargetField(
            key="amount",
            label="Amount",
            kind="money",
            required=True,
            synonyms=(
                "Amount in Company Code Currency",
                "Amount in local currency",
                "Val.in rep.cur.",
                "Value in reporting currency",
                "Val/COArea Crcy",
                "Value TranCurr",
                "Entered Amount",
                "Accounted Amount",
                "Raw Cost",
                "Burdened Cost",
                "Montant",
                "Montant HT",
                "Montant en devise",
            ),
        ),
        _text_field(
            "currency",
            "Currency",
            "Currency Code",
            "Entered Currency",
            "Company Code Currency",
            "Crcy",
            "Curr.",
            "Report currency",
            "Devise",
            "Monnaie",
        ),
        _text_field(
            "project",
            "Project",
            "Project Number",
            "Project Code",
            "WBS Element",
            "Cost Center",
            "Projet",
            "Code projet",
            "Élément d'OTP",
            "Centre de coûts",
        ),
        _text_field("task", "Task", "Task Number", "Task Name", "WBS", "Tâche", "Lot"),
        _text_field(
            "category",
            "Cost category",
            "Category",
            "Cost Element",
            "Cost Element Name",
            "Expenditure Type",
            "Expenditure Category",
            "Catégorie",
            "Catégorie de coût",
            "Nature",
            "Nature comptable",
        ),
        TargetField(
            key="expense_type",
            label="CAPEX or OPEX",
            kind="choice",
            synonyms=("Expense type", "CAPEX/OPEX", "Type de dépense"),
            choices=(
                Choice(ExpenseType.CAPEX, "CAPEX", ("Capital", "Investissement", "Invest")),
                Choice(ExpenseType.OPEX, "OPEX", ("Operating", "Fonctionnement", "Exploitation")),
            ),
        ),
        _text_field(
            "supplier",
            "Supplier",
            "Vendor",
            "Vendor Name",
            "Supplier Name",
            "Supplier Number",
            "Fournisseur",
            "Nom du fournisseur",
        ),
        _text_field(
            "reference",
            "Reference",
            "Document Number",
            "Document No.",
            "Doc. no.",
            "DocumentNo",
            "Journal Entry",
            "Invoice Number",
            "Expenditure Item ID",
            "Référence",
            "N° de pièce",
            "Numéro de pièce",
            "Pièce",
        ),
        _text_field(
            "description",
            "Description",
            "Text",
            "Item Text",
            "Journal Line Description",
            "Line Description",
            "Libellé",
            "Désignation",
            "Commentaire",
        ),
    ),
)
register_target(ACTUAL_COSTS_TARGET)


# The uploaded file between preview and apply --------------------------------------------------

_STORE = UploadStore("actual-costs")


def erp_upload_store(
    *, actor: Any, name: str, content: bytes, project: Project | None = None
) -> str:
    """Keep an uploaded export for its preview; returns the token that names it."""
    return _STORE.store(
        actor=actor,
        name=name,
        content=content,
        project_id=project.pk if project is not None else None,
    )


def erp_upload_get(token: str, *, actor: Any) -> StoredUpload:
    """The upload named ``token`` if ``actor`` uploaded it, else not found."""
    return _STORE.get(token, actor=actor)


def erp_upload_set_mapping(token: str, *, actor: Any, mapping: dict[int, str]) -> None:
    """Remember the mapping the user chose for an upload."""
    _STORE.set_mapping(token, actor=actor, mapping=mapping)


def erp_upload_discard(token: str, *, actor: Any) -> None:
    _STORE.discard(token, actor=actor)


# Saved mappings -------------------------------------------------------------------------------


def erp_mapping_list() -> QuerySet[ColumnMapping]:
    return mapping_list(TARGET_KEY)


def _may_import(actor: Any) -> bool:
    return has_any_role(actor) and (
        can(actor, Action.MANAGE_FINANCE)
        or any(
            can(actor, Action.MANAGE_FINANCE, project)
            for project in visible(actor, Project.objects.all())[:500]
        )
    )


@transaction.atomic
def erp_mapping_save(
    *, actor: Any, name: str, headers: Sequence[str], mapping: dict[int, str]
) -> ColumnMapping:
    """Save a mapping under a name (replacing one of that name) for the next export of the
    same layout: it is applied by itself when a file's headers match."""
    if not _may_import(actor):
        raise ForbiddenError(gettext("You do not have permission to do this."))
    return mapping_save(actor=actor, target=TARGET_KEY, name=name, headers=headers, mapping=mapping)


# Preview --------------------------------------------------------------------------------------


ErpRowError = SheetRowError
"""A row that cannot be imported: its number in the file, the column and the problem."""


@dataclass
class ErpRow:
    """One row of the export as it would be recorded."""

    number: int
    incurred_on: dt.date | None = None
    amount: Decimal | None = None
    currency: str = ""
    project: Project | None = None
    task: Task | None = None
    category: CostCategory | None = None
    expense_type: str = ExpenseType.OPEX
    supplier: Supplier | None = None
    reference: str = ""
    description: str = ""
    errors: list[ErpRowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(kw_only=True)
class ErpPreview(RowsPreview[ErpRow]):
    """What an export would import: the mapping, the rows and their errors, the totals."""

    project: Project | None

    @property
    def totals(self) -> dict[str, Decimal]:
        """The total of the importable rows per currency."""
        totals: dict[str, Decimal] = {}
        for row in self.valid_rows:
            assert row.amount is not None
            totals[row.currency] = totals.get(row.currency, Decimal(0)) + row.amount
        return dict(sorted(totals.items()))


def _sap_signs(table: Table, amount_column: int | None) -> Table:
    """SAP writes a negative amount with the minus sign last (``1.234,50-``)."""
    if amount_column is None:
        return table
    rows = []
    for row in table.rows:
        cell = row.cell(amount_column)
        if (
            isinstance(cell, str)
            and cell.strip().endswith("-")
            and not cell.strip().startswith("-")
        ):
            cells = list(row.cells)
            cells[amount_column] = "-" + cell.strip()[:-1]
            rows.append(TableRow(row.number, tuple(cells)))
        else:
            rows.append(row)
    return replace(table, rows=rows)


class _Lookups:
    """Projects, tasks, categories and suppliers by the names a file may give them."""

    def __init__(self, actor: Any, records: Sequence[dict[str, Any]], project: Project | None):
        self.actor = actor
        codes = {str(values.get("project", "")).strip() for values in records} - {""}
        if project is not None:
            self.projects = {project.code.casefold(): project}
        else:
            self.projects = {
                item.code.casefold(): item
                for item in Project.objects.filter(
                    Q(code__in=codes) | Q(code__in={code.upper() for code in codes})
                )
            }
        self.visible_ids = set(
            visible(
                actor, Project.objects.filter(pk__in=[p.pk for p in self.projects.values()])
            ).values_list("pk", flat=True)
        )
        self.recordable = {
            pk
            for pk in self.visible_ids
            if can_record_cost(actor, self._project(pk), ActualCostSource.ERP)
        }
        self.categories: dict[str, CostCategory] = {}
        for category in CostCategory.objects.all():
            self.categories.setdefault(category.code.casefold(), category)
            self.categories.setdefault(category.name.casefold(), category)
        self.suppliers: dict[str, Supplier] = {}
        for supplier in Supplier.objects.all():
            self.suppliers.setdefault(supplier.code.casefold(), supplier)
            self.suppliers.setdefault(supplier.name.casefold(), supplier)
        self.tasks: dict[tuple[int, str], Task] = {}
        if any(values.get("task") for values in records):
            for task in Task.objects.filter(project_id__in=self.visible_ids).order_by("position"):
                for key in (task.wbs, task.outline_number, task.name):
                    if key:
                        self.tasks.setdefault((task.project_id, key.strip().casefold()), task)

    def _project(self, pk: int) -> Project:
        return next(item for item in self.projects.values() if item.pk == pk)


def erp_preview(
    *,
    actor: Any,
    name: str,
    content: bytes,
    project: Project | None = None,
    mapping: dict[Any, str] | None = None,
) -> ErpPreview:
    """Read an export and check every row without writing anything.

    ``project``: every row goes to this project (the file's project column is ignored); else
    the project column (``Project.code``) says where each row goes. ``mapping``: column index
    to field key; by default a saved mapping whose headers match the file's, else a guess.

    Raises ``ValidationError`` if the file cannot be read as a table.
    """
    if project is not None and not can_record_cost(actor, project, ActualCostSource.ERP):
        raise ForbiddenError(gettext("You do not have permission to do this."))
    table = read_sheet(name=name, content=content)
    columns, source, saved = choose_mapping(ACTUAL_COSTS_TARGET, table.headers, mapping)
    problems = check_mapping(columns, table.headers, ACTUAL_COSTS_TARGET)
    if project is None and "project" not in columns.values():
        problems.append(
            gettext(
                "no column is mapped to 'Project': choose the project the costs belong to, or "
                "map the column that holds the project codes"
            )
        )
    preview = ErpPreview(
        name=table.name,
        headers=table.headers,
        mapping=columns,
        mapping_source=source,
        mapping_problems=problems,
        rows=[],
        project=project,
        saved_mapping=saved,
    )
    if problems:
        return preview
    amount_column = next((i for i, key in columns.items() if key == "amount"), None)
    table = _sap_signs(table, amount_column)
    result, header_of, rows = mapped_rows(table, columns, ACTUAL_COSTS_TARGET, ErpRow)
    lookups = _Lookups(actor, [record.values for record in result.records], project)
    table_rates = rate_table()
    days = [r.values["incurred_on"] for r in result.records if "incurred_on" in r.values]
    locks = (
        list(PeriodLock.objects.filter(start__lte=max(days), finish__gte=min(days))) if days else []
    )
    for record in result.records:
        row = rows[record.number]
        _resolve(row, record.values, project, lookups, header_of)
        _check_money(row, table_rates, locks, header_of)
    _mark_duplicates(list(rows.values()), header_of)
    preview.rows = [rows[number] for number in sorted(rows)]
    return preview


def _error(row: ErpRow, header_of: dict[str, str], key: str, message: str) -> None:
    row.errors.append(row_error(row.number, header_of.get(key, ""), message))


def _resolve(
    row: ErpRow,
    values: dict[str, Any],
    project: Project | None,
    lookups: _Lookups,
    header_of: dict[str, str],
) -> None:
    row.incurred_on = values.get("incurred_on")
    row.amount = values.get("amount")
    row.reference = str(values.get("reference", "")).strip()[:100]
    row.description = str(values.get("description", "")).strip()[:255]
    if project is not None:
        row.project = project
    else:
        code = str(values.get("project", "")).strip()
        found = lookups.projects.get(code.casefold()) if code else None
        if not code:
            _error(row, header_of, "project", gettext("the project is missing"))
        elif found is None or found.pk not in lookups.visible_ids:
            _error(
                row, header_of, "project", gettext("Unknown project '%(code)s'") % {"code": code}
            )
        elif found.pk not in lookups.recordable:
            _error(
                row,
                header_of,
                "project",
                gettext("you may not record costs on project '%(code)s'") % {"code": code},
            )
        else:
            row.project = found
    currency = str(values.get("currency", "")).strip().upper()
    if currency:
        if currency not in Currency.values:
            _error(
                row,
                header_of,
                "currency",
                gettext("Unknown currency '%(code)s'") % {"code": currency},
            )
        row.currency = currency
    elif row.project is not None:
        row.currency = row.project.currency
    category_name = str(values.get("category", "")).strip()
    if category_name:
        row.category = lookups.categories.get(category_name.casefold())
        if row.category is None:
            _error(
                row,
                header_of,
                "category",
                gettext("Unknown cost category '%(name)s'") % {"name": category_name},
            )
    row.expense_type = values.get("expense_type") or (
        row.category.expense_type if row.category is not None else ExpenseType.OPEX
    )
    supplier_name = str(values.get("supplier", "")).strip()
    if supplier_name:
        row.supplier = lookups.suppliers.get(supplier_name.casefold())
        if row.supplier is None:
            _error(
                row,
                header_of,
                "supplier",
                gettext("Unknown supplier '%(name)s'") % {"name": supplier_name},
            )
    task_name = str(values.get("task", "")).strip()
    if task_name and row.project is not None:
        row.task = lookups.tasks.get((row.project.pk, task_name.casefold()))
        if row.task is None:
            _error(
                row,
                header_of,
                "task",
                gettext("Unknown task '%(task)s' in project %(project)s")
                % {"task": task_name, "project": row.project.code},
            )


def _check_money(
    row: ErpRow, table: Any, locks: list[PeriodLock], header_of: dict[str, str]
) -> None:
    if row.amount is not None and row.amount < 0 and not row.reference:
        _error(
            row,
            header_of,
            "amount",
            gettext("a negative amount (a credit note) needs its document reference"),
        )
    if row.amount is not None and row.amount.as_tuple().exponent < -2:  # type: ignore[operator]
        _error(row, header_of, "amount", gettext("an amount has at most two decimals"))
    day = row.incurred_on
    if day is None:
        return
    for lock in locks:
        if lock.start <= day <= lock.finish:
            _error(
                row,
                header_of,
                "incurred_on",
                gettext("%(date)s is in a locked period (%(start)s to %(finish)s)")
                % {
                    "date": day.isoformat(),
                    "start": lock.start.isoformat(),
                    "finish": lock.finish.isoformat(),
                },
            )
            break
    if row.project is not None and row.currency in Currency.values and row.amount is not None:
        try:
            table.convert_between(row.amount, row.currency, row.project.currency, day)
        except CurrencyRateMissingError as error:
            _error(row, header_of, "currency", error.messages[0])


def _mark_duplicates(rows: list[ErpRow], header_of: dict[str, str]) -> None:
    candidates = [
        row
        for row in rows
        if row.project is not None and row.incurred_on and row.amount is not None
    ]
    if not candidates:
        return
    days = [row.incurred_on for row in candidates if row.incurred_on]
    existing: Counter[tuple[Any, ...]] = Counter(
        ActualCost.objects.filter(
            source=ActualCostSource.ERP,
            project_id__in={row.project.pk for row in candidates if row.project},
            incurred_on__gte=min(days),
            incurred_on__lte=max(days),
        ).values_list("project_id", "reference", "incurred_on", "amount")
    )
    for row in candidates:
        assert row.project is not None and row.amount is not None  # noqa: PT018
        key = (row.project.pk, row.reference, row.incurred_on, row.amount.quantize(Decimal("0.01")))
        if existing.get(key, 0) > 0:
            existing[key] -= 1
            _error(
                row,
                header_of,
                "reference",
                gettext(
                    "already imported: project %(project)s already has %(amount)s %(currency)s "
                    "on %(date)s with the reference '%(reference)s'"
                )
                % {
                    "project": row.project.code,
                    "amount": row.amount,
                    "currency": row.currency,
                    "date": row.incurred_on.isoformat() if row.incurred_on else "",
                    "reference": row.reference,
                },
            )


# Apply ----------------------------------------------------------------------------------------


@transaction.atomic
def erp_apply(*, actor: Any, preview: ErpPreview, skip_errors: bool = False) -> int:
    """Record the rows of a preview in the actual cost ledger (source ERP); returns how many.

    All or nothing: any row error refuses the whole file unless ``skip_errors``, which records
    the good rows and leaves the others out.
    """
    refuse_unusable(
        mapping_problems=preview.mapping_problems, errors=preview.errors, skip_errors=skip_errors
    )
    rows = preview.valid_rows
    for project in {row.project for row in rows if row.project is not None}:
        if not can_record_cost(actor, project, ActualCostSource.ERP):
            raise ForbiddenError(gettext("You do not have permission to do this."))
    creator = acting_user(actor)
    created = ActualCost.objects.bulk_create(
        ActualCost(
            project=row.project,
            task=row.task,
            category=row.category,
            expense_type=row.expense_type,
            incurred_on=cast(dt.date, row.incurred_on),
            amount=row.amount,
            currency=row.currency,
            source=ActualCostSource.ERP,
            reference=row.reference,
            description=row.description,
            supplier=row.supplier,
            created_by=creator,
        )
        for row in rows
    )
    for cost in created:
        audit.record_created(actor=actor, instance=cost)
    return len(created)
