"""The rows of the task grid, written as HTML in one pass.

A plan of 5,000 tasks has 60,000 cells; rendering them through the template engine takes
seconds, so the rows are built here with escaped strings. Cells hold text only: the grid's
script turns the cell being edited into an input and posts the new value (see plan-grid.js).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from pilotage.planning.selectors import PlanRow

EDITABLE_ON_TASKS = ("duration", "start", "finish", "percent_complete")


def _days(minutes: int | None, minutes_per_day: int) -> str:
    if minutes is None:
        return ""
    value = round(minutes / (minutes_per_day or 480), 1)
    text = number_format(int(value)) if value == int(value) else number_format(value, 1)
    return text + gettext("d")


def _percent(value: float) -> str:
    return number_format(round(value, 1), decimal_pos=0 if value == int(value) else 1)


def _cell(
    field: str,
    text: str,
    *,
    editable: bool,
    value: str | None,
    extra: str,
    error: str | None,
    typed: str | None,
) -> str:
    """One cell: plain text, or an editable cell the grid's script opens."""
    if not editable:
        return f'<td class="{extra}">{escape(text)}</td>' if extra else f"<td>{escape(text)}</td>"
    classes = f"cell {extra}".strip()
    attributes = f' class="{classes}" tabindex="-1" data-field="{field}"'
    if value is not None:
        attributes += f' data-value="{escape(value)}"'
    if error is not None:
        attributes += f' aria-invalid="true" title="{escape(error)}"'
    shown = text if typed is None else typed
    return f"<td{attributes}>{escape(shown)}</td>"


def render_rows(
    rows: Iterable[PlanRow],
    *,
    minutes_per_day: int,
    may_change: bool,
    errors: dict[int, dict[str, str]] | None = None,
    typed: dict[int, dict[str, str]] | None = None,
) -> SafeString:
    """The ``<tr>`` elements of the grid, one per task."""
    errors = errors or {}
    typed = typed or {}
    cell_url = reverse("planning:task_cell", args=[0]).replace("/0/", "/{pk}/")
    constraint_label = gettext("Constraint")
    deadline_label = gettext("Deadline")
    open_label = gettext("Open the task")
    out: list[str] = []
    append = out.append
    for row in rows:
        task = row.task
        pk = task.pk
        classes = []
        if task.is_summary:
            classes.append("is-summary")
        if task.is_critical:
            classes.append("is-critical")
        if task.is_milestone:
            classes.append("is-milestone")
        if row.percent_complete >= 100:
            classes.append("is-done")
        cell_errors = errors.get(pk, {})
        cell_typed = typed.get(pk, {})

        def cell(
            field: str,
            text: str,
            *,
            editable: bool,
            value: str | None = None,
            extra: str = "",
            errors: dict[str, str] = cell_errors,
            typed: dict[str, str] = cell_typed,
        ) -> str:
            return _cell(
                field,
                text,
                editable=may_change and editable,
                value=value,
                extra=extra,
                error=errors.get(field),
                typed=typed.get(field),
            )

        flags = ""
        if task.constraint_type != "ASAP":
            when = (
                date_format(task.constraint_date, "SHORT_DATETIME_FORMAT")
                if task.constraint_date
                else ""
            )
            flags += (
                f'<span class="plan-flag" title="{escape(constraint_label)}: '
                f'{escape(task.get_constraint_type_display())} {escape(when)}">⚓</span>'
            )
        if task.deadline:
            late = " is-late" if task.finish and task.finish > task.deadline else ""
            flags += (
                f'<span class="plan-flag{late}" title="{escape(deadline_label)} '
                f'{escape(date_format(task.deadline, "SHORT_DATETIME_FORMAT"))}">⚑</span>'
            )
        url = task.get_absolute_url()
        name_shown = cell_typed.get("name", task.name)
        name_attributes = ' class="plan-name"'
        if may_change:
            name_attributes = ' class="plan-name cell" tabindex="-1" data-field="name"'
            if "name" in cell_errors:
                name_attributes += f' aria-invalid="true" title="{escape(cell_errors["name"])}"'
        start = task.start
        finish = task.finish
        leaf = not task.is_summary
        append(
            f'<tr id="task-{pk}" class="{" ".join(classes)}" data-task="{pk}" '
            f'data-url="{cell_url.format(pk=pk)}" style="--level: {task.outline_level}">'
            f'<td class="num mono row-id" tabindex="-1">{task.position}</td>'
            f'<td class="mono muted">{escape(task.wbs_code)}</td>'
            f'<td{name_attributes}><span class="cell-text">{escape(name_shown)}</span></td>'
            f'<td class="plan-links"><a class="plan-open" href="{url}" '
            f'title="{escape(open_label)}" '
            f'aria-label="{escape(open_label)}: {escape(task.name)}">↗</a>{flags}</td>'
            + cell("duration", row.duration_text, editable=leaf)
            + cell(
                "start",
                date_format(start, "SHORT_DATE_FORMAT") if start else "",
                editable=leaf,
                value=start.strftime("%Y-%m-%d") if start else "",
                extra="nowrap",
            )
            + cell(
                "finish",
                date_format(finish, "SHORT_DATE_FORMAT") if finish else "",
                editable=leaf,
                value=finish.strftime("%Y-%m-%d") if finish else "",
                extra="nowrap",
            )
            + cell("predecessors", row.predecessors, editable=True)
            + cell(
                "percent_complete",
                _percent(row.percent_complete) + " %",
                editable=leaf,
                value=_percent(row.percent_complete),
                extra="num",
            )
            + (
                f'<td class="num{" is-negative" if (task.total_float_minutes or 0) < 0 else ""}">'
                f"{_days(task.total_float_minutes, minutes_per_day)}</td>"
            )
            + "</tr>"
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


def grid_labels() -> dict[str, Any]:
    """Texts the grid's script shows (translated)."""
    return {
        "confirm_delete": gettext("Delete task %(name)s?"),
        "confirm_delete_summary": gettext("Delete %(name)s and all its subtasks?"),
    }
