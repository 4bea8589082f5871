"""Write formatted Excel workbooks: typed columns, a styled header, filters, outline levels.

:func:`write_xlsx` writes one sheet per :class:`Sheet`, as a professional export looks: a bold
header row with a fill and a bottom border, frozen so it stays in view, repeated on printed
pages, an auto-filter over the data, columns as wide as their content (within bounds), and a
number format per kind of column. A work breakdown exports with Excel's outline levels
(:class:`Row` ``level``), summary rows above their children, so that phases fold.

Values by column kind
---------------------
- ``text``: text; a text that starts with ``=``, ``+``, ``-`` or ``@`` is written as text with
  Excel's quote prefix, so that Excel neither evaluates it nor turns it into a formula when the
  cell is edited (formula injection). Characters XML cannot hold are dropped; a text longer
  than Excel's 32,767 characters is cut.
- ``integer`` (``#,##0``), ``decimal`` and ``money`` (``#,##0.00``, the currency code in the
  header), ``percent`` (``0%``, the value a fraction: 0.5 is 50 %), ``duration_days``
  (``0.0#``, a number of days).
- ``date`` (``yyyy-mm-dd``) and ``datetime`` (``yyyy-mm-dd hh:mm``): naive values are written as
  they are; an aware one keeps its wall-clock time and loses its zone (Excel has none).
- ``boolean``: the caller's words for yes and no (translated by the caller).
- ``None`` leaves the cell empty. A value of another type than its column's is written as it
  is (a text in a number column stays text).

Large sheets: with more than :data:`WRITE_ONLY_ROWS` rows in a sheet, the workbook is written in
openpyxl's streaming mode, which holds one row at a time; column widths are then fitted to the
first rows.

Examples
--------
>>> import io, openpyxl
>>> from datetime import date
>>> data = write_xlsx(
...     [Sheet("Tasks", [Column("Name"), Column("Start", "date"), Column("Done", "percent")],
...            [["Design", date(2026, 3, 2), 0.5], Row(["Build", None, 0], level=1)])],
...     title="Office move",
... )
>>> sheet = openpyxl.load_workbook(io.BytesIO(data)).active
>>> [[cell.value for cell in row] for row in sheet.iter_rows()]  # doctest: +NORMALIZE_WHITESPACE
[['Name', 'Start', 'Done'], ['Design', datetime.datetime(2026, 3, 2, 0, 0), 0.5],
 ['Build', None, 0]]
>>> sheet["C2"].number_format, sheet.freeze_panes, sheet.auto_filter.ref
('0%', 'A2', 'A1:C3')
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Final, Literal, TypeAlias, get_args

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import Outline

__all__ = [
    "COLUMN_KINDS",
    "MAX_OUTLINE_LEVEL",
    "WRITE_ONLY_ROWS",
    "Column",
    "ColumnKind",
    "Row",
    "Sheet",
    "sheet_title",
    "write_xlsx",
]

ColumnKind: TypeAlias = Literal[
    "text",
    "integer",
    "decimal",
    "money",
    "percent",
    "date",
    "datetime",
    "duration_days",
    "boolean",
]
"""How a column's values are written; see the module's documentation."""
COLUMN_KINDS: Final[tuple[ColumnKind, ...]] = get_args(ColumnKind)

WRITE_ONLY_ROWS: Final = 5_000
"""Above this many rows in a sheet, the workbook is streamed (openpyxl's write-only mode)."""
MAX_OUTLINE_LEVEL: Final = 7
"""Excel's deepest row outline level."""

_MAX_TEXT: Final = 32_767
_MIN_WIDTH: Final = 6.0
_MAX_WIDTH: Final = 60.0
_FILTER_BUTTON: Final = 3
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_FORMATS: Final[dict[str, str]] = {
    "integer": "#,##0",
    "decimal": "#,##0.00",
    "money": "#,##0.00",
    "percent": "0%",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
    "duration_days": "0.0#",
}
_HEADER_FONT: Final = Font(bold=True, color="1F2937")
_HEADER_FILL: Final = PatternFill(fill_type="solid", start_color="DCE6F1", end_color="DCE6F1")
_HEADER_BORDER: Final = Border(bottom=Side(style="medium", color="4F6D8F"))
_HEADER_ALIGNMENT: Final = Alignment(vertical="center")
_INVALID_TITLE: Final = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
_PROPERTY_NAMES: Final[dict[str, str]] = {
    "subject": "subject",
    "keywords": "keywords",
    "description": "description",
    "comments": "description",
    "category": "category",
    "status": "contentStatus",
    "language": "language",
    "identifier": "identifier",
    "version": "version",
    "revision": "revision",
}


@dataclass(frozen=True, slots=True)
class Column:
    """A column: its header, the kind of its values, a width, a currency for money.

    ``width`` is in Excel's character units; None fits the column to its content. A money
    column's ``currency`` (``"EUR"``) is shown in its header: ``"Cost (EUR)"``.

    Examples
    --------
    >>> Column("Cost", "money", currency="EUR").title
    'Cost (EUR)'
    """

    header: str
    kind: ColumnKind = "text"
    width: float | None = None
    currency: str = ""

    def __post_init__(self) -> None:
        if self.kind not in COLUMN_KINDS:
            raise ValueError(
                f"Column {self.header!r}: kind {self.kind!r} is not one of "
                f"{', '.join(COLUMN_KINDS)}"
            )

    @property
    def title(self) -> str:
        """The header as written, with the currency of a money column."""
        if self.kind == "money" and self.currency:
            return f"{self.header} ({self.currency})"
        return self.header


@dataclass(frozen=True, slots=True)
class Row:
    """A row's values with its outline level (0 at the top; a WBS task's depth - 1)."""

    values: Sequence[Any]
    level: int = 0


@dataclass(frozen=True)
class Sheet:
    """One worksheet: a title (made valid by :func:`sheet_title`), columns, rows.

    A row is a sequence of values, one per column (missing trailing values are empty), or a
    :class:`Row` with an outline level. ``rows`` may be a generator: it is read once.
    """

    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any] | Row] = field(default_factory=tuple)


def sheet_title(title: str, used: Iterable[str] = ()) -> str:
    """A valid Excel sheet title: no ``[]:*?/\\``, 31 characters at most, not blank, not
    starting or ending with an apostrophe, not "History", different from ``used`` (ignoring
    case).

    Examples
    --------
    >>> sheet_title("Q1/Q2: budget [draft]")
    'Q1 Q2 budget draft'
    >>> sheet_title("Tasks", used=["tasks"])
    'Tasks (2)'
    >>> len(sheet_title("A very long title for a sheet of the plan")), sheet_title("  ")
    (31, 'Sheet')
    """
    cleaned = " ".join(_INVALID_TITLE.sub(" ", title).split()).strip("'").strip()
    if not cleaned:
        cleaned = "Sheet"
    if cleaned.casefold() == "history":
        cleaned = f"{cleaned} (1)"
    cleaned = cleaned[:31].rstrip().rstrip("'")
    taken = {name.casefold() for name in used}
    candidate, number = cleaned, 1
    while candidate.casefold() in taken:
        number += 1
        suffix = f" ({number})"
        candidate = cleaned[: 31 - len(suffix)].rstrip() + suffix
    return candidate


def write_xlsx(
    sheets: Sequence[Sheet],
    *,
    title: str = "",
    properties: Mapping[str, str] | None = None,
    yes_label: str = "Yes",
    no_label: str = "No",
) -> bytes:
    """Write sheets of typed columns to an ``.xlsx`` workbook.

    Parameters
    ----------
    sheets : sequence of Sheet
        The worksheets, in order; at least one.
    title : str, optional
        The document's title property.
    properties : mapping of str to str, optional
        More document properties: ``subject``, ``keywords``, ``description`` (or
        ``comments``), ``category``, ``status``, ``language``, ``identifier``, ``version``,
        ``revision``; any other name becomes a custom property. The creator is "Pilotage".
    yes_label, no_label : str, optional
        The words written for True and False in ``boolean`` columns.

    Returns
    -------
    bytes
        The workbook.

    Raises
    ------
    ValueError
        If there is no sheet, or a row has more values than its sheet has columns.

    Examples
    --------
    >>> import io, openpyxl
    >>> data = write_xlsx([Sheet("Risks", [Column("Risk"), Column("Open", "boolean")],
    ...                          [["=HYPERLINK(\\"x\\")", True]])], yes_label="Oui")
    >>> sheet = openpyxl.load_workbook(io.BytesIO(data))["Risks"]
    >>> sheet["A2"].value, sheet["A2"].data_type, sheet["A2"].quotePrefix, sheet["B2"].value
    ('=HYPERLINK("x")', 's', True, 'Oui')
    """
    if not sheets:
        raise ValueError("A workbook needs at least one sheet")
    heads: list[list[Sequence[Any] | Row]] = []
    tails: list[Iterator[Sequence[Any] | Row]] = []
    for sheet in sheets:
        rows = iter(sheet.rows)
        heads.append(list(itertools.islice(rows, WRITE_ONLY_ROWS + 1)))
        tails.append(rows)
    streaming = any(len(head) > WRITE_ONLY_ROWS for head in heads)
    workbook = Workbook(write_only=streaming)
    if not streaming:
        workbook.remove(workbook.active)  # type: ignore[arg-type]
    _set_properties(workbook, title, properties or {})
    labels = (yes_label, no_label)
    used: list[str] = []
    for sheet, head, tail in zip(sheets, heads, tails, strict=True):
        name = sheet_title(sheet.title, used)
        used.append(name)
        writer = _SheetWriter(workbook, name, list(sheet.columns), labels, streaming)
        writer.write(head, tail)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _set_properties(workbook: Workbook, title: str, properties: Mapping[str, str]) -> None:
    core = workbook.properties
    core.creator = "Pilotage"
    core.lastModifiedBy = "Pilotage"
    if title:
        core.title = title
    for key, value in properties.items():
        attribute = _PROPERTY_NAMES.get(key.casefold())
        if attribute is not None:
            setattr(core, attribute, value)
        else:
            workbook.custom_doc_props.append(  # type: ignore[attr-defined]
                StringProperty(name=key, value=value)
            )


class _SheetWriter:
    """Writes one sheet, in the workbook's normal or streaming mode."""

    def __init__(
        self,
        workbook: Workbook,
        title: str,
        columns: list[Column],
        labels: tuple[str, str],
        streaming: bool,
    ) -> None:
        self.columns = columns
        self.labels = labels
        self.streaming = streaming
        self.worksheet: Any = workbook.create_sheet(title)
        self.last_column = get_column_letter(max(len(columns), 1))

    def write(self, head: list[Sequence[Any] | Row], rest: Iterable[Sequence[Any] | Row]) -> None:
        worksheet = self.worksheet
        sample = [_as_row(row, len(self.columns)) for row in head]
        for index, column in enumerate(self.columns, start=1):
            width = column.width if column.width is not None else self._fit(index - 1, sample)
            worksheet.column_dimensions[get_column_letter(index)].width = width
        worksheet.freeze_panes = "A2"
        worksheet.print_title_rows = "1:1"
        worksheet.page_setup.orientation = "landscape"
        if any(row.level for row in sample):
            worksheet.sheet_properties.outlinePr = Outline(summaryBelow=False)
            worksheet.sheet_format.outlineLevelRow = min(
                max(row.level for row in sample), MAX_OUTLINE_LEVEL
            )
        if self.streaming:
            count = self._stream(
                itertools.chain(sample, (_as_row(row, len(self.columns)) for row in rest))
            )
        else:
            count = self._fill(sample)
        worksheet.auto_filter.ref = f"A1:{self.last_column}{count + 1}"

    def _fit(self, index: int, sample: list[Row]) -> float:
        column = self.columns[index]
        longest = len(column.title) + _FILTER_BUTTON
        for row in sample:
            value = row.values[index] if index < len(row.values) else None
            if value is not None:
                longest = max(longest, self._display_length(column, value))
        return float(min(max(longest + 2, _MIN_WIDTH), _MAX_WIDTH))

    def _display_length(self, column: Column, value: Any) -> int:
        if isinstance(value, bool):
            return max(len(label) for label in self.labels)
        if isinstance(value, datetime) and column.kind in ("datetime", "date"):
            return 16 if column.kind == "datetime" else 10
        if isinstance(value, date):
            return 10
        if isinstance(value, int | float | Decimal) and column.kind != "text":
            if column.kind == "percent":
                return len(f"{float(value):.0%}")
            if column.kind == "integer":
                return len(f"{float(value):,.0f}")
            return len(f"{float(value):,.2f}")
        text = str(value)
        return max((len(line) for line in text.splitlines()), default=0)

    def _header(self) -> list[Any]:
        cells = []
        for column in self.columns:
            cell = WriteOnlyCell(self.worksheet, column.title)
            _style_header(cell)
            cells.append(cell)
        return cells

    def _fill(self, rows: list[Row]) -> int:
        worksheet = self.worksheet
        for index, column in enumerate(self.columns, start=1):
            _style_header(worksheet.cell(row=1, column=index, value=column.title))
        for number, row in enumerate(rows, start=2):
            for index, column in enumerate(self.columns, start=1):
                value = row.values[index - 1] if index - 1 < len(row.values) else None
                written = self._value(column, value)
                if written is None:
                    continue
                cell = worksheet.cell(row=number, column=index)
                _assign(cell, written, column)
            if row.level:
                worksheet.row_dimensions[number].outline_level = min(row.level, MAX_OUTLINE_LEVEL)
        return len(rows)

    def _stream(self, rows: Iterable[Row]) -> int:
        worksheet = self.worksheet
        worksheet.append(self._header())
        templates = [WriteOnlyCell(worksheet) for _ in self.columns]
        quoted = [WriteOnlyCell(worksheet) for _ in self.columns]
        for column, template, quoted_template in zip(self.columns, templates, quoted, strict=True):
            number_format = _NUMBER_FORMATS.get(column.kind)
            if number_format is not None:
                template.number_format = number_format
            quoted_template.quotePrefix = True
        count = 0
        for number, row in enumerate(rows, start=2):
            cells: list[Any] = []
            for index, column in enumerate(self.columns):
                value = row.values[index] if index < len(row.values) else None
                written = self._value(column, value)
                if written is None:
                    cells.append(None)
                    continue
                if isinstance(written, str):
                    if not written.startswith(_FORMULA_STARTS):
                        # A plain value is cheaper to stream than a cell object.
                        cells.append(written)
                        continue
                    cell = quoted[index]
                    cell.value = written
                    cell.data_type = "s"
                else:
                    cell = templates[index]
                    cell.value = written
                cells.append(cell)
            if row.level:
                worksheet.row_dimensions[number].outline_level = min(row.level, MAX_OUTLINE_LEVEL)
            worksheet.append(cells)
            count += 1
        return count

    def _value(self, column: Column, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, bool):
            if column.kind in ("boolean", "text"):
                return self.labels[0] if value else self.labels[1]
            return int(value)
        if isinstance(value, datetime):
            if value.tzinfo is not None:
                value = value.replace(tzinfo=None)
            return value
        if isinstance(value, date):
            if column.kind == "datetime":
                return datetime(value.year, value.month, value.day)
            return value
        if isinstance(value, int | float | Decimal | time | timedelta):
            return value
        text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
        return text[:_MAX_TEXT]


def _as_row(row: Sequence[Any] | Row, width: int) -> Row:
    result = row if isinstance(row, Row) else Row(row)
    if len(result.values) > width:
        raise ValueError(
            f"A row has {len(result.values)} values but the sheet has {width} columns: "
            f"{list(result.values)[: width + 1]!r}"
        )
    if result.level < 0:
        raise ValueError(f"A row's outline level must be 0 or more, not {result.level}")
    return result


def _style_header(cell: Any) -> None:
    cell.font = _HEADER_FONT
    cell.fill = _HEADER_FILL
    cell.border = _HEADER_BORDER
    cell.alignment = _HEADER_ALIGNMENT


def _assign(cell: Any, value: Any, column: Column) -> None:
    cell.value = value
    if isinstance(value, str):
        if value.startswith(_FORMULA_STARTS):
            cell.data_type = "s"
            cell.quotePrefix = True
        return
    number_format = _NUMBER_FORMATS.get(column.kind)
    if number_format is not None:
        cell.number_format = number_format
