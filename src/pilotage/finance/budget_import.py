"""Import the lines of a budget version from a CSV or Excel file.

Two layouts are read:

- long: one amount per row, with its month, cost category, CAPEX or OPEX and amount;
- wide, as finance spreadsheets often are: one row per cost category and one column per month
  (headers such as ``Jan 2027``, ``2027-01`` or ``janv. 2027``). A table with at least two
  headers that read as months is read this way and unpivoted into one line per month.

The lines replace those of a draft version (all or nothing, through
:func:`~pilotage.finance.budgets.budget_lines_replace`) or make a new draft version of a chosen
kind. A row is refused, with a message naming it, when its month, category or amount cannot be
read, its category is unknown, its amount is negative or has more than two decimals, or it gives
the same month, category and type as an earlier row.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext, gettext_noop

from pilotage.accounts.permissions import Action, require
from pilotage.core.errors import ForbiddenError
from pilotage.exchange.models import ColumnMapping
from pilotage.finance import budgets
from pilotage.finance.models import Budget, BudgetKind, CostCategory, ExpenseType
from pilotage.finance.sheet_import import (
    SheetPreview,
    SheetRowError,
    UploadStore,
    cell_errors,
    choose_mapping,
    header_names,
    mapping_list,
    mapping_save,
    read_sheet,
    refuse_unusable,
    row_error,
)
from pilotage.interop.tabular import (
    Choice,
    ImportTarget,
    TargetField,
    check_mapping,
    convert_rows,
    register_target,
)
from pilotage.portfolio.models import Programme, Project

__all__ = [
    "BUDGET_LINES_TARGET",
    "BudgetImportLine",
    "BudgetImportPreview",
    "budget_import_apply",
    "budget_import_preview",
    "budget_mapping_list",
    "budget_mapping_save",
    "parse_month",
    "upload_store",
]

TARGET_KEY = "budget_lines"

# The English labels of the fields, for the translation catalogue.
FIELD_LABELS = (
    gettext_noop("Month"),
    gettext_noop("Cost category"),
    gettext_noop("CAPEX or OPEX"),
    gettext_noop("Amount"),
)

_CATEGORY = TargetField(
    key="category",
    label="Cost category",
    required=True,
    synonyms=(
        "Category",
        "Cost element",
        "Budget line",
        "Line",
        "Catégorie",
        "Catégorie de coût",
        "Nature",
        "Nature de coût",
        "Poste",
        "Poste budgétaire",
        "Ligne budgétaire",
    ),
)
_EXPENSE_TYPE = TargetField(
    key="expense_type",
    label="CAPEX or OPEX",
    kind="choice",
    synonyms=("Expense type", "CAPEX/OPEX", "Type", "Type de dépense"),
    choices=(
        Choice(ExpenseType.CAPEX, "CAPEX", ("Capital", "Investissement", "Invest")),
        Choice(ExpenseType.OPEX, "OPEX", ("Operating", "Fonctionnement", "Exploitation")),
    ),
)

BUDGET_LINES_TARGET = ImportTarget(
    TARGET_KEY,
    "Budget lines",
    (
        TargetField(
            key="month",
            label="Month",
            required=True,
            synonyms=("Period", "Date", "Mois", "Période"),
        ),
        _CATEGORY,
        _EXPENSE_TYPE,
        TargetField(
            key="amount",
            label="Amount",
            kind="money",
            required=True,
            minimum=Decimal(0),
            synonyms=("Budget", "Value", "Montant", "Montant budgété", "Valeur"),
        ),
    ),
)
register_target(BUDGET_LINES_TARGET)

upload_store = UploadStore("budget-lines")


# Months ---------------------------------------------------------------------------------------

_MONTH_WORDS: dict[str, int] = {
    **dict.fromkeys(("january", "jan", "janvier", "janv"), 1),
    **dict.fromkeys(("february", "feb", "fevrier", "fevr", "fev"), 2),
    **dict.fromkeys(("march", "mar", "mars"), 3),
    **dict.fromkeys(("april", "apr", "avril", "avr"), 4),
    **dict.fromkeys(("may", "mai"), 5),
    **dict.fromkeys(("june", "jun", "juin"), 6),
    **dict.fromkeys(("july", "jul", "juillet", "juil"), 7),
    **dict.fromkeys(("august", "aug", "aout"), 8),
    **dict.fromkeys(("september", "sep", "sept", "septembre"), 9),
    **dict.fromkeys(("october", "oct", "octobre"), 10),
    **dict.fromkeys(("november", "nov", "novembre"), 11),
    **dict.fromkeys(("december", "dec", "decembre"), 12),
}
_YEAR_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})(?:[-/.]\d{1,2}(?:[ t].*)?)?$")
_MONTH_YEAR = re.compile(r"^(?:\d{1,2}[-/.])?(\d{1,2})[-/.](\d{4})$")
_WORD_YEAR = re.compile(r"^([a-z]+)[\s.\-']*(\d{4}|\d{2})$")


def parse_month(value: Any) -> dt.date | None:
    """The first day of the month a cell names, or None.

    Reads dates, ``2026-03``, ``03/2026``, ``15/03/2026``, ``mars 2026``, ``Mar-26``,
    ``janv. 2027``.

    >>> parse_month("mars 2026"), parse_month("03/2026"), parse_month("janv. 2027")
    (datetime.date(2026, 3, 1), datetime.date(2026, 3, 1), datetime.date(2027, 1, 1))
    >>> parse_month("2027-01"), parse_month("Total"), parse_month("2027")
    (datetime.date(2027, 1, 1), None, None)
    """
    if isinstance(value, dt.datetime):
        return dt.date(value.year, value.month, 1)
    if isinstance(value, dt.date):
        return dt.date(value.year, value.month, 1)
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKD", value.strip().casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    year = month = 0
    if match := _YEAR_MONTH.match(text):
        year, month = int(match.group(1)), int(match.group(2))
    elif match := _MONTH_YEAR.match(text):
        month, year = int(match.group(1)), int(match.group(2))
    elif (match := _WORD_YEAR.match(text)) and match.group(1) in _MONTH_WORDS:
        month = _MONTH_WORDS[match.group(1)]
        year = int(match.group(2))
        if year < 100:
            year += 2000
    if 1 <= month <= 12 and 1900 <= year <= 2999:
        return dt.date(year, month, 1)
    return None


# Preview --------------------------------------------------------------------------------------


@dataclass
class BudgetImportLine:
    """One amount as it would be written: the row of the file, the month, category, type."""

    number: int
    month: dt.date | None = None
    category: CostCategory | None = None
    expense_type: str = ""
    amount: Decimal | None = None
    errors: list[SheetRowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(kw_only=True)
class BudgetImportPreview(SheetPreview):
    """What a file would import: the layout, the mapping, the lines and their errors."""

    layout: str
    month_columns: dict[int, dt.date]
    lines: list[BudgetImportLine]

    @property
    def errors(self) -> list[SheetRowError]:
        return [error for line in self.lines for error in line.errors]

    @property
    def bad_rows(self) -> set[int]:
        return {line.number for line in self.lines if not line.ok}

    @property
    def error_rows(self) -> int:
        return len(self.bad_rows)

    @property
    def rows(self) -> int:
        return len({line.number for line in self.lines})

    @property
    def valid_lines(self) -> list[BudgetImportLine]:
        """The lines of the rows without any error (a row with one bad cell is left out)."""
        bad = self.bad_rows
        return [line for line in self.lines if line.number not in bad]

    @property
    def total(self) -> Decimal:
        return sum((line.amount or Decimal(0) for line in self.valid_lines), Decimal(0))

    @property
    def months(self) -> list[dt.date]:
        return sorted({line.month for line in self.valid_lines if line.month})

    @property
    def can_apply(self) -> bool:
        return not self.mapping_problems and bool(self.valid_lines)


def _require_drafter(actor: Any, owner: Project | Programme) -> None:
    require(actor, Action.VIEW, owner)
    if not budgets.can_draft_budget(actor, owner):
        raise ForbiddenError(gettext("You do not have permission to do this."))


def _categories() -> dict[str, CostCategory]:
    found: dict[str, CostCategory] = {}
    for category in CostCategory.objects.order_by("-is_active", "code"):
        found.setdefault(category.code.casefold(), category)
        found.setdefault(category.name.casefold(), category)
    return found


def budget_import_preview(
    *,
    actor: Any,
    owner: Project | Programme,
    name: str,
    content: bytes,
    mapping: dict[Any, str] | None = None,
) -> BudgetImportPreview:
    """Read a file of budget amounts for ``owner`` and check every row without writing.

    ``mapping``: column index to field key (month, category, expense_type, amount); by default
    a saved mapping whose headers match the file's, else a guess. In the wide layout the month
    columns are found from their headers and the mapping names the other columns.

    Raises ``ValidationError`` if the file cannot be read as a table.
    """
    _require_drafter(actor, owner)
    table = read_sheet(name=name, content=content)
    month_columns = {
        index: month
        for index, header in enumerate(table.headers)
        if (month := parse_month(header)) is not None
    }
    wide = len(month_columns) >= 2
    if not wide:
        month_columns = {}
    columns, source, saved = choose_mapping(
        BUDGET_LINES_TARGET,
        table.headers,
        mapping,
        guess_headers=["" if i in month_columns else h for i, h in enumerate(table.headers)],
    )
    problems: list[str] = []
    if wide:
        columns = {
            index: key
            for index, key in columns.items()
            if index not in month_columns and key in {"category", "expense_type"}
        }
        seen: dict[dt.date, int] = {}
        for index, month in month_columns.items():
            if month in seen:
                problems.append(
                    gettext("the columns %(first)s and %(second)s are both %(month)s")
                    % {
                        "first": table.column_label(seen[month]),
                        "second": table.column_label(index),
                        "month": f"{month:%Y-%m}",
                    }
                )
            seen.setdefault(month, index)
        target = ImportTarget(
            "budget_lines_wide",
            "Budget lines",
            (
                _CATEGORY,
                _EXPENSE_TYPE,
                *(
                    TargetField(
                        key=f"month_{index}",
                        label=f"month_{index}",
                        kind="money",
                        minimum=Decimal(0),
                    )
                    for index in month_columns
                ),
            ),
        )
    else:
        target = BUDGET_LINES_TARGET
    problems.extend(check_mapping(columns, table.headers, target))
    preview = BudgetImportPreview(
        name=table.name,
        headers=table.headers,
        mapping=columns,
        mapping_source=source,
        mapping_problems=problems,
        layout="wide" if wide else "long",
        month_columns=month_columns,
        lines=[],
        saved_mapping=saved,
    )
    if problems:
        return preview
    full = dict(columns)
    full.update({index: f"month_{index}" for index in month_columns})
    result = convert_rows(table, full, target)
    header_of = header_names(table.headers, full)
    unread = cell_errors(result.errors)
    categories = _categories()
    lines: list[BudgetImportLine] = []
    for record in result.records:
        values = record.values
        base = BudgetImportLine(record.number)
        base.errors.extend(unread.get(record.number, []))
        category_name = str(values.get("category", "")).strip()
        if category_name:
            base.category = categories.get(category_name.casefold())
            if base.category is None:
                base.errors.append(
                    row_error(
                        record.number,
                        header_of["category"],
                        gettext("Unknown cost category '%(name)s'") % {"name": category_name},
                    )
                )
        base.expense_type = values.get("expense_type") or (
            base.category.expense_type if base.category is not None else ExpenseType.OPEX
        )
        if wide:
            if base.errors:
                lines.append(base)
                continue
            for index, month in month_columns.items():
                amount = values.get(f"month_{index}")
                if amount is None:
                    continue
                line = BudgetImportLine(
                    record.number, month, base.category, base.expense_type, amount
                )
                _check_amount(line, header_of[f"month_{index}"])
                lines.append(line)
        else:
            base.amount = values.get("amount")
            month_text = values.get("month")
            if month_text is not None:
                base.month = parse_month(month_text)
                if base.month is None:
                    base.errors.append(
                        row_error(
                            record.number,
                            header_of["month"],
                            gettext("'%(value)s' is not a month (write 2027-03 or mars 2027)")
                            % {"value": month_text},
                        )
                    )
            _check_amount(base, header_of["amount"])
            lines.append(base)
    _mark_repeats(lines)
    preview.lines = lines
    return preview


def _check_amount(line: BudgetImportLine, column: str) -> None:
    if line.amount is not None and line.amount.as_tuple().exponent < -2:  # type: ignore[operator]
        line.errors.append(
            row_error(line.number, column, gettext("an amount has at most two decimals"))
        )


def _mark_repeats(lines: Sequence[BudgetImportLine]) -> None:
    first: dict[tuple[int, str, dt.date], int] = {}
    for line in lines:
        if line.category is None or line.month is None or line.amount is None:
            continue
        key = (line.category.pk, line.expense_type, line.month)
        if key in first:
            line.errors.append(
                row_error(
                    line.number,
                    "",
                    gettext("%(category)s %(type)s %(month)s is already given on row %(first)d")
                    % {
                        "category": line.category.name,
                        "type": ExpenseType(line.expense_type).label,
                        "month": f"{line.month:%Y-%m}",
                        "first": first[key],
                    },
                )
            )
        else:
            first[key] = line.number


# Apply ----------------------------------------------------------------------------------------


@transaction.atomic
def budget_import_apply(
    *,
    actor: Any,
    preview: BudgetImportPreview,
    budget: Budget | None = None,
    owner: Project | Programme | None = None,
    kind: str = BudgetKind.FORECAST,
    skip_errors: bool = False,
) -> Budget:
    """Write the lines of a preview: they replace every line of the draft ``budget``, or make
    a new draft version of ``kind`` for ``owner``. Returns the budget.

    All or nothing: any row error refuses the whole file unless ``skip_errors``, which leaves
    out the rows with errors.
    """
    if (budget is None) == (owner is None):
        raise ValueError("Import into a budget, or into a new version for an owner.")
    refuse_unusable(
        mapping_problems=preview.mapping_problems, errors=preview.errors, skip_errors=skip_errors
    )
    lines = preview.valid_lines
    if not lines:
        raise ValidationError(gettext("The file has no amount to import."), code="empty")
    if budget is None:
        assert owner is not None
        budget = budgets.budget_create(
            actor=actor,
            project=owner if isinstance(owner, Project) else None,
            programme=owner if isinstance(owner, Programme) else None,
            kind=kind,
        )
    budgets.budget_lines_replace(
        actor=actor,
        budget=budget,
        rows=[
            {
                "category": line.category,
                "expense_type": line.expense_type,
                "month": line.month,
                "amount": line.amount,
            }
            for line in lines
        ],
    )
    return budget


# Saved mappings -------------------------------------------------------------------------------


def budget_mapping_list() -> Any:
    return mapping_list(TARGET_KEY)


def budget_mapping_save(
    *,
    actor: Any,
    owner: Project | Programme,
    name: str,
    headers: Sequence[str],
    mapping: dict[int, str],
) -> ColumnMapping:
    """Save a mapping for the next file of the same layout (whoever may draft the budget)."""
    _require_drafter(actor, owner)
    return mapping_save(actor=actor, target=TARGET_KEY, name=name, headers=headers, mapping=mapping)
