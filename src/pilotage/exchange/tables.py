"""Spreadsheet imports: read the stored table with its column mapping, and summarise it.

The mapping is kept in the import's options (``columns``: column index as text to field key);
the first read proposes one from the headers, or takes a saved mapping whose headers match.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from pilotage.exchange.models import ColumnMapping, ImportKind, ImportRun
from pilotage.interop.document import ProjectDocument
from pilotage.interop.errors import PlanFileError
from pilotage.interop.tabular import (
    TARGETS,
    ConversionResult,
    ImportRowsError,
    Table,
    check_mapping,
    convert_rows,
    guess_mapping,
    read_table,
    resources_document,
    tasks_document,
)

__all__ = [
    "mapping_by_header",
    "mapping_choices",
    "saved_mappings",
    "table_document",
    "table_summary",
]

_SAMPLE_ROWS = 3
_LISTED_ERRORS = 200


def _target_key(run: ImportRun) -> str:
    return "resources" if run.kind == ImportKind.RESOURCES else "tasks"


def _columns(run: ImportRun, table: Table) -> dict[str, str]:
    stored = run.options.get("columns")
    if isinstance(stored, dict):
        return {str(index): key for index, key in stored.items() if key}
    target = TARGETS[_target_key(run)]
    saved = (
        ColumnMapping.objects.filter(target=run.kind, headers=table.headers)
        .order_by("-created_at")
        .first()
    )
    if saved is not None:
        return {
            str(index): saved.columns[header]
            for index, header in enumerate(table.headers)
            if header in saved.columns
        }
    return {str(index): key for index, key in guess_mapping(table.headers, target).items()}


def _read(run: ImportRun, data: bytes) -> tuple[Table, dict[str, str], ConversionResult | None]:
    table = read_table(data, name=run.file_name, sheet=run.options.get("sheet"))
    columns = _columns(run, table)
    target = TARGETS[_target_key(run)]
    if check_mapping(dict(columns), table.headers, target):
        return table, columns, None
    return table, columns, convert_rows(table, dict(columns), target)


def _build(run: ImportRun, result: ConversionResult, *, ignore_errors: bool) -> ProjectDocument:
    name = run.file_name.rsplit(".", 1)[0]
    if run.kind == ImportKind.RESOURCES:
        return resources_document(
            result, name=name, source_format=run.format, ignore_errors=ignore_errors
        )
    return tasks_document(result, name=name, source_format=run.format, ignore_errors=ignore_errors)


def table_document(run: ImportRun, data: bytes) -> ProjectDocument:
    """The stored table as a document, its bad rows left out (the caller checked that the
    user chose so, or that there are none)."""
    _table, _columns_used, result = _read(run, data)
    if result is None:
        raise PlanFileError(run.file_name, gettext("the columns are not all chosen"))
    return _build(run, result, ignore_errors=True)


def table_summary(run: ImportRun, data: bytes) -> dict[str, Any]:
    """What the preview shows of a table: its headers and mapping, the row errors, and (under
    ``document``) the document its good rows make."""
    table, columns, result = _read(run, data)
    target = TARGETS[_target_key(run)]
    problems = check_mapping(dict(columns), table.headers, target)
    mapped = set(columns.values())
    summary: dict[str, Any] = {
        "table": {
            "headers": table.headers,
            "sheet": table.sheet,
            "sheets": table.sheets,
            "rows": len(table.rows),
            "columns": columns,
            "samples": [
                [_shown(row.cell(index)) for row in table.rows[:_SAMPLE_ROWS]]
                for index in range(len(table.headers))
            ],
        },
        "unmapped_required": [
            gettext(field.label)
            for field in target.fields
            if field.required and field.key not in mapped
        ],
        "mapping_problems": problems,
        "row_errors": [],
        "bad_rows": 0,
        "document": None,
    }
    if result is None:
        return summary
    errors = list(result.errors)
    try:
        _build(run, result, ignore_errors=False)
    except ImportRowsError as error:
        errors = list(error.errors)
    summary["row_errors"] = [
        {"row": error.row, "column": error.column_header, "message": error.message}
        for error in errors[:_LISTED_ERRORS]
    ]
    summary["bad_rows"] = len({error.row for error in errors})
    summary["document"] = _build(run, result, ignore_errors=True)
    return summary


def _shown(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def mapping_choices(run: ImportRun) -> dict[str, Any]:
    """The columns with their current field and first values, and the fields to choose from."""
    table = run.summary.get("table")
    if not table:
        return {}
    target = TARGETS[_target_key(run)]
    columns = table.get("columns", {})
    samples = table.get("samples", [])
    return {
        "columns": [
            {
                "index": index,
                "header": header or f"({index + 1})",
                "field": columns.get(str(index), ""),
                "sample": [
                    value for value in (samples[index] if index < len(samples) else []) if value
                ],
            }
            for index, header in enumerate(table.get("headers", []))
        ],
        "fields": [
            {"key": field.key, "label": gettext(field.label), "required": field.required}
            for field in target.fields
        ],
    }


def mapping_by_header(table: dict[str, Any]) -> dict[str, str]:
    """A table summary's mapping keyed by header name (how a saved mapping is kept)."""
    headers = table.get("headers", [])
    return {
        headers[int(index)]: key
        for index, key in (table.get("columns") or {}).items()
        if key and int(index) < len(headers) and headers[int(index)]
    }


def saved_mappings(run: ImportRun) -> list[ColumnMapping]:
    if run.kind == ImportKind.PROJECT:
        return []
    return list(ColumnMapping.objects.filter(target=run.kind).order_by("name"))
