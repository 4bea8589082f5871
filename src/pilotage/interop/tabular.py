"""Read tables of tasks or resources from Excel workbooks and CSV files, mapping columns to fields.

People keep plans and resource lists in spreadsheets, and Microsoft Project exports its tables
to Excel in the user's language. Reading one takes three steps, so that a page can show each:

1. :func:`read_table` reads the cells of one sheet of an ``.xlsx`` workbook, or of a CSV file:
   the header row is the first row that is not blank, blank rows are dropped, and each row keeps
   its number in the file (the number Excel shows) for messages.
2. :func:`guess_mapping` proposes which column holds which field of an :class:`ImportTarget`
   (``TARGETS["tasks"]``, ``TARGETS["resources"]``) from the headers, in English or French,
   Microsoft Project's own included. The user corrects it, :func:`check_mapping` checks it, and
   the mapping (a plain ``dict`` of column index to field key) can be saved as JSON for the next
   file; :func:`mapping_to_headers` and :func:`mapping_from_headers` carry it over by header
   name when the columns move.
3. :func:`convert_rows` turns cells into typed values, with one :class:`RowError` per cell it
   cannot read; :func:`tasks_document` and :func:`resources_document` build the
   :class:`~pilotage.interop.document.ProjectDocument` every importer returns.

A target is data: a tuple of :class:`TargetField` with a kind, synonyms and choices. Another
application adds its own (risks, budgets, timesheets) with :func:`register_target` and reads
the records :func:`convert_rows` returns.

How values are read
-------------------
- Numbers: Excel's numbers as they are; text with a decimal point or comma and thousands
  separators (``"1 234,5"``, ``"1,234.5"``, ``"1'234.50"``). When a number could be read
  either way (``"1,234"``), the other numbers of the table decide: a file that writes
  ``"2,5"`` elsewhere uses the decimal comma. Money drops currency signs and codes
  (``"1 200,00 €"``, ``"$1,200.00"``, ``"(50.00)"`` is negative); a rate may end with its unit
  (``"$50.00/hr"``, ``"45 €/j"``).
- Percentages: ``"50%"``, ``"50 %"``, a cell Excel formats as a percentage (0.5); a plain
  number counts percentage points (50 is 50 %), unless every plain number of the column lies
  between 0 and 1 and one is a fraction (0.5 is then 50 %), or the field's plain numbers are
  fractions (a resource's maximum units: 1 is 100 %, 3 is three people).
- Dates: Excel's dates; ISO (``2026-03-02``, ``2026-03-02T08:00``); ``dd/mm/yyyy`` or
  ``mm/dd/yyyy`` (``day_first``; a day above 12 or a weekday name settles it); month names in
  English or French (``"2 mars 2026"``, ``"March 2, 2026"``); Microsoft Project's exports
  (``"Mon 02/03/26"``, ``"lun 02/03/26 08:00"``, ``"3/2/26 8:00 AM"``). ``NA`` and ``ND`` (the
  empty date of Microsoft Project's English and French exports) are empty. A date without a
  time (or at midnight) is taken at 08:00 for a start and 17:00 for a finish.
- Durations: ``"5d"``, ``"5 days"``, ``"5 jours"``, ``"5j"``, ``"3h"``, ``"2w"``,
  ``"2 sem"``, ``"1 mo"``, ``"10ed"`` (elapsed), ``"5 days?"`` (estimated); a plain number is in
  the field's unit (days for a duration, hours for work). A day is ``minutes_per_day``, a week
  five days, a month twenty days.
- Predecessors: Microsoft Project's ``"3FS+2d;5SS"`` and the French codes ``"3DD+2j"``
  (FD, DD, FF, DF for FS, SS, FF, SF), separated by ``;`` or ``,``; lags in any duration unit or
  in percent (``"4FS+50%"``).
- Yes/no: yes, no, oui, non, true, false, vrai, faux, 1, 0, x (an empty cell is no value).

Examples
--------
>>> csv_text = "Nom de la tâche;Durée;Prédécesseurs\\nConcevoir;5j;\\nConstruire;2 sem;1FD+2j\\n"
>>> table = read_table(csv_text.encode("utf-8"), name="plan.csv")
>>> table.headers, [row.number for row in table.rows]
(['Nom de la tâche', 'Durée', 'Prédécesseurs'], [2, 3])
>>> mapping = guess_mapping(table.headers, TARGETS["tasks"])
>>> mapping
{0: 'name', 1: 'duration', 2: 'predecessors'}
>>> result = convert_rows(table, mapping, TARGETS["tasks"])
>>> document = tasks_document(result, name="Plan", source_format="csv")
>>> [(task.name, task.duration_minutes) for task in document.plan.tasks]
[('Concevoir', 2400), ('Construire', 4800)]
>>> link = document.plan.links[0]
>>> link.predecessor_uid, link.successor_uid, link.type, link.lag_minutes
(1, 2, 'FS', 960)
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any, Final, Literal, TypeAlias, get_args

import numpy as np
import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from pilotage.engine.calendars import Calendar, WeekPattern, WorkingTime, compile_calendar
from pilotage.engine.errors import EngineError
from pilotage.engine.plan import (
    ELAPSED_FORMATS,
    PERCENT_FORMATS,
    DurationFormat,
    Plan,
    PlanCalendar,
    PlanConstraintType,
    PlanLink,
    PlanLinkType,
    PlanTask,
)
from pilotage.interop.document import (
    CustomField,
    CustomValue,
    DocumentAssignment,
    DocumentResource,
    ProjectDocument,
    RateUnit,
    ResourceKind,
    TaskDetails,
)
from pilotage.interop.errors import PlanFileError
from pilotage.interop.text import allow_long_csv_cells, decode_text, sniff_delimiter

__all__ = [
    "FIELD_KINDS",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "MAX_UNCOMPRESSED_BYTES",
    "TARGETS",
    "Cell",
    "Choice",
    "ConversionResult",
    "Duration",
    "ExcelPercent",
    "FieldKind",
    "ImportRowsError",
    "ImportTarget",
    "Mapping",
    "Predecessor",
    "Rate",
    "Record",
    "RowError",
    "Table",
    "TableRow",
    "TargetField",
    "check_mapping",
    "convert_rows",
    "guess_mapping",
    "mapping_from_headers",
    "mapping_to_headers",
    "normalise_header",
    "read_table",
    "register_target",
    "resources_document",
    "tasks_document",
]

MAX_ROWS: Final = 100_000
"""The most data rows read from one sheet or file; a bigger table is refused."""
MAX_COLUMNS: Final = 16_384
"""The most columns read (Excel's own limit)."""
MAX_UNCOMPRESSED_BYTES: Final = 200 * 1024 * 1024
"""The largest total uncompressed size a workbook may declare (200 MiB): a guard against zip
bombs, far above any real plan."""
_MAX_ARCHIVE_MEMBERS: Final = 10_000

Cell: TypeAlias = str | int | float | bool | Decimal | datetime | date | time | timedelta | None
"""A cell's value: Excel's own types, or text from a CSV file."""

Mapping: TypeAlias = dict[int, str]
"""Column index (0-based) to field key. Saved as JSON its keys become strings; every function
taking a mapping accepts those too."""

FieldKind: TypeAlias = Literal[
    "text",
    "integer",
    "decimal",
    "money",
    "rate",
    "percent",
    "date",
    "datetime",
    "duration",
    "boolean",
    "choice",
    "predecessors",
]
"""How a field's cells are read; see the module's documentation."""
FIELD_KINDS: Final[tuple[FieldKind, ...]] = get_args(FieldKind)

_NUMBER_KINDS: Final = frozenset({"integer", "decimal", "money", "rate", "percent", "duration"})


class ExcelPercent(float):
    """A number that Excel shows as a percentage: ``ExcelPercent(0.5)`` is shown 50 %.

    :func:`read_table` gives percentage-formatted cells this type, a :class:`float` like any
    other number, so that a percent field reads 0.5 as 50 % where a plain 0.5 would be 0.5 %.

    Examples
    --------
    >>> ExcelPercent(0.25) + 1
    1.25
    """

    __slots__ = ()


# Reading tables ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TableRow:
    """One row of a table: its 1-based number in the file or sheet, and its cells.

    Examples
    --------
    >>> row = TableRow(7, ("Design", 5))
    >>> row.cell(1), row.cell(4)
    (5, None)
    """

    number: int
    cells: tuple[Cell, ...]

    def cell(self, index: int) -> Cell:
        """The cell in a column (0-based), None beyond the row's last cell."""
        return self.cells[index] if 0 <= index < len(self.cells) else None


@dataclass(frozen=True)
class Table:
    """The cells of one sheet of a workbook, or of a CSV file.

    Parameters
    ----------
    name : str
        The file's name, for messages.
    sheet : str or None
        The sheet read; None for a CSV file.
    sheets : list of str
        Every worksheet of the workbook, in order (empty for a CSV file).
    headers : list of str
        The header row's cells as text (``""`` for a blank one), as many as the widest row.
    rows : list of TableRow
        The rows under the header row, blank rows left out.
    header_row : int
        The number of the header row.
    encoding, delimiter : str
        For a CSV file, the text encoding and the column separator found.
    """

    name: str
    sheet: str | None
    sheets: list[str]
    headers: list[str]
    rows: list[TableRow]
    header_row: int = 1
    encoding: str = ""
    delimiter: str = ""

    def column_label(self, index: int) -> str:
        """How messages name a column: its header in quotes, or its letter when it has none.

        Examples
        --------
        >>> Table("t.csv", None, [], ["Name", ""], []).column_label(0)
        "'Name'"
        >>> Table("t.csv", None, [], ["Name", ""], []).column_label(1)
        'B'
        """
        header = self.headers[index] if 0 <= index < len(self.headers) else ""
        return f"'{header}'" if header else get_column_letter(index + 1)


_ZIP_MAGIC: Final = (b"PK\x03\x04", b"PK\x05\x06")
_OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORKBOOK_SUFFIXES: Final = frozenset({".xlsx", ".xlsm", ".xltx", ".xltm"})
_SAVE_AS_XLSX: Final = "open it in Excel and save it as an Excel Workbook (.xlsx) or as CSV"
_SEP_LINE: Final = re.compile(r"^sep=(.)\r?\n", re.IGNORECASE)


def read_table(data: bytes, *, name: str, sheet: str | None = None) -> Table:
    """Read the cells of an Excel workbook's sheet or of a CSV file.

    Parameters
    ----------
    data : bytes
        The file's content.
    name : str
        The file's name: its extension says what it is (the content decides when they
        disagree: an ``.xlsx`` saved under a ``.csv`` name is read as a workbook).
    sheet : str, optional
        The sheet to read; by default the first visible worksheet. Ignored for CSV.

    Returns
    -------
    Table
        The header row and the rows under it. Workbook cells keep their Python types
        (datetime, float, int, bool, str; :class:`ExcelPercent` for percentages, timedelta for
        ``[h]:mm`` durations); CSV cells are text. Formulas give the value Excel last
        computed.

    Raises
    ------
    PlanFileError
        If the file is an old ``.xls`` workbook, an OpenDocument or binary workbook, damaged,
        declares more than :data:`MAX_UNCOMPRESSED_BYTES` once uncompressed, has no such sheet,
        no header row, or more than :data:`MAX_ROWS` rows.

    Examples
    --------
    >>> table = read_table(b"Name,Start\\n\\nDesign,02/03/2026\\n", name="tasks.csv")
    >>> table.headers, table.rows
    (['Name', 'Start'], [TableRow(number=3, cells=('Design', '02/03/2026'))])
    >>> read_table(b"\\xd0\\xcf\\x11\\xe0\\xa1\\xb1\\x1a\\xe1" + bytes(8), name="old.xls")
    Traceback (most recent call last):
    ...
    pilotage.interop.errors.PlanFileError: old.xls: an Excel 97-2003 workbook (.xls) or a \
password-protected workbook cannot be read: open it in Excel and save it as an Excel Workbook \
(.xlsx) or as CSV
    """
    suffix = PurePath(name).suffix.lower()
    if data.startswith(_OLE_MAGIC):
        raise PlanFileError(
            name,
            "an Excel 97-2003 workbook (.xls) or a password-protected workbook cannot be read: "
            + _SAVE_AS_XLSX,
        )
    if data.startswith(_ZIP_MAGIC):
        return _read_workbook(data, name, sheet)
    if suffix in _WORKBOOK_SUFFIXES:
        raise PlanFileError(name, "not an Excel workbook: the file is damaged or of another kind")
    if suffix in {".xls", ".xml", ".htm", ".html"} and data.lstrip()[:1] == b"<":
        raise PlanFileError(
            name, "an HTML or XML spreadsheet cannot be read as a table: " + _SAVE_AS_XLSX
        )
    return _read_csv(data, name)


def _check_archive(data: bytes, name: str) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise PlanFileError(name, f"not a readable Excel workbook ({error})") from error
    if len(members) > _MAX_ARCHIVE_MEMBERS:
        raise PlanFileError(name, f"the workbook holds {len(members)} parts, too many to read")
    declared = sum(member.file_size for member in members)
    if declared > MAX_UNCOMPRESSED_BYTES:
        raise PlanFileError(
            name,
            f"the workbook declares {declared // (1024 * 1024)} MiB of content once "
            f"uncompressed, more than the limit of {MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MiB",
        )
    names = {member.filename for member in members}
    if "mimetype" in names and not any(part.startswith("xl/") for part in names):
        raise PlanFileError(name, "an OpenDocument spreadsheet cannot be read: " + _SAVE_AS_XLSX)
    if "xl/workbook.bin" in names:
        raise PlanFileError(
            name, "an Excel binary workbook (.xlsb) cannot be read: " + _SAVE_AS_XLSX
        )
    if "xl/workbook.xml" not in names:
        raise PlanFileError(name, "not an Excel workbook (the archive has no xl/workbook.xml)")
    return archive


def _read_workbook(data: bytes, name: str, sheet: str | None) -> Table:
    _check_archive(data, name).close()
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True, keep_links=False
        )
    except Exception as error:  # openpyxl raises many kinds of errors on damaged files
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise PlanFileError(name, f"not a readable Excel workbook ({reason})") from error
    try:
        worksheets = list(workbook.worksheets)
        sheets = [worksheet.title for worksheet in worksheets]
        if not worksheets:
            raise PlanFileError(name, "the workbook has no worksheet")
        if sheet is None:
            visible = [
                ws for ws in worksheets if getattr(ws, "sheet_state", "visible") == "visible"
            ]
            worksheet = (visible or worksheets)[0]
        else:
            matches = [ws for ws in worksheets if ws.title == sheet] or [
                ws for ws in worksheets if ws.title.casefold() == sheet.casefold()
            ]
            if not matches:
                raise PlanFileError(
                    name,
                    f"the workbook has no sheet {sheet!r}; its sheets are "
                    + ", ".join(repr(title) for title in sheets),
                )
            worksheet = matches[0]
        try:
            reset = getattr(worksheet, "reset_dimensions", None)
            if reset is not None:
                # A writer may record a wrong used range; reading every row is always right.
                reset()
            rows = (
                (number, tuple(_excel_value(cell) for cell in row))
                for number, row in enumerate(worksheet.iter_rows(), start=1)
            )
            return _build_table(name, worksheet.title, sheets, rows)
        except PlanFileError:
            raise
        except Exception as error:  # a damaged sheet fails while it is read
            raise PlanFileError(
                name, f"the sheet {worksheet.title!r} cannot be read ({error})"
            ) from error
    finally:
        workbook.close()


def _excel_value(cell: Any) -> Cell:
    value = cell.value
    if isinstance(value, int | float) and not isinstance(value, bool):
        number_format = getattr(cell, "number_format", "") or ""
        if "%" in number_format:
            return ExcelPercent(value)
    if value is None or isinstance(
        value, str | int | float | bool | Decimal | datetime | date | time | timedelta
    ):
        return value
    return str(value)


def _read_csv(data: bytes, name: str) -> Table:
    text, codec = decode_text(data, name=name)
    separator = _SEP_LINE.match(text)
    if separator:
        # Excel's "sep=;" first line names the separator and is not shown as a row.
        delimiter = separator.group(1)
        text = text[separator.end() :]
    else:
        # Rows Excel leaves empty (";;;") say nothing about the separator and mislead a sniffer.
        lines = text[:65536].splitlines()
        meaningful = "\n".join(line for line in lines if line.strip(" \t,;|"))
        delimiter = sniff_delimiter(meaningful or text)
    allow_long_csv_cells()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def rows() -> Iterator[tuple[int, tuple[Cell, ...]]]:
        number = 0
        try:
            for record in reader:
                number += 1
                yield number, tuple(record)
        except csv.Error as error:
            raise PlanFileError(
                name, f"row {number + 1} cannot be read as CSV ({error})", line=reader.line_num
            ) from error

    return replace(_build_table(name, None, [], rows()), encoding=codec, delimiter=delimiter)


def _is_blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _build_table(
    name: str,
    sheet: str | None,
    sheets: list[str],
    numbered_rows: Iterable[tuple[int, tuple[Cell, ...]]],
) -> Table:
    header: tuple[Cell, ...] | None = None
    header_row = 0
    rows: list[TableRow] = []
    width = 0
    for number, raw in numbered_rows:
        end = len(raw)
        while end and _is_blank(raw[end - 1]):
            end -= 1
        if not end:
            continue
        cells = raw[:end]
        if end > MAX_COLUMNS:
            raise PlanFileError(
                name, f"row {number} has {end} columns, more than the limit of {MAX_COLUMNS:,}"
            )
        width = max(width, end)
        if header is None:
            header, header_row = cells, number
            continue
        if len(rows) >= MAX_ROWS:
            raise PlanFileError(
                name,
                f"the table has more than {MAX_ROWS:,} rows, the limit; split it into "
                "several files",
            )
        rows.append(TableRow(number, cells))
    if header is None:
        where = f"the sheet {sheet!r}" if sheet is not None else "the file"
        raise PlanFileError(name, f"{where} is empty: there is no header row")
    headers = [_header_text(value) for value in header]
    headers.extend("" for _ in range(width - len(headers)))
    return Table(
        name=name, sheet=sheet, sheets=sheets, headers=headers, rows=rows, header_row=header_row
    )


def _header_text(value: Cell) -> str:
    if value is None:
        return ""
    return " ".join(_text(value).split())


# Targets ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Choice:
    """One allowed value of a ``choice`` field (or a named value of an ``integer`` field).

    ``value`` is what the record holds; ``label`` and ``synonyms`` (English and French) are
    what a cell may say, compared without case, accents or punctuation.
    """

    value: str
    label: str
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TargetField:
    """A field a table's column can be mapped to.

    Parameters
    ----------
    key : str
        The key of the value in a :class:`Record`.
    label : str
        The field's name in English (the web pages translate it).
    kind : FieldKind, optional
        How cells are read (``"text"`` by default).
    required : bool, optional
        A row without a value is an error.
    synonyms : tuple of str, optional
        Headers that name this field, English and French, compared without case, accents,
        spaces or punctuation.
    choices : tuple of Choice, optional
        The values of a ``choice`` field; for an ``integer`` field, words that stand for numbers.
    unit : str, optional
        For ``duration`` and ``predecessors``, the unit of a plain number (``"d"`` by default,
        ``"h"`` for work); for ``rate``, the unit of a rate without one (``"h"`` by default).
    minimum, maximum : Decimal, optional
        Bounds of a number (a percentage's bounds are fractions).
    fractions : bool, optional
        For ``percent``: a plain number is a fraction (1 is 100 %) rather than percentage
        points (50 is 50 %).

    Examples
    --------
    >>> TargetField("status", "Status", kind="choice", choices=(Choice("open", "Open"),)).kind
    'choice'
    """

    key: str
    label: str
    kind: FieldKind = "text"
    required: bool = False
    synonyms: tuple[str, ...] = ()
    choices: tuple[Choice, ...] = ()
    unit: str = ""
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    fractions: bool = False

    def __post_init__(self) -> None:
        if self.kind not in FIELD_KINDS:
            raise ValueError(f"Field {self.key!r}: kind {self.kind!r} is not one of {FIELD_KINDS}")
        if self.kind == "choice" and not self.choices:
            raise ValueError(f"Field {self.key!r}: a choice field needs choices")


@dataclass(frozen=True)
class ImportTarget:
    """What a table can be imported as: tasks, resources, and what other applications add.

    Raises
    ------
    ValueError
        If two fields share a key, or a header synonym names two fields.

    Examples
    --------
    >>> TARGETS["tasks"].field("duration").kind
    'duration'
    >>> [field.key for field in TARGETS["resources"].fields if field.required]
    ['name']
    """

    key: str
    label: str
    fields: tuple[TargetField, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", tuple(self.fields))
        keys: set[str] = set()
        names: dict[str, str] = {}
        for target_field in self.fields:
            if target_field.key in keys:
                raise ValueError(f"Target {self.key!r}: the field {target_field.key!r} repeats")
            keys.add(target_field.key)
            for synonym in _names_of(target_field):
                other = names.setdefault(synonym, target_field.key)
                if other != target_field.key:
                    raise ValueError(
                        f"Target {self.key!r}: the header {synonym!r} names both {other!r} "
                        f"and {target_field.key!r}"
                    )

    def field(self, key: str) -> TargetField:
        """The field with a key.

        Raises
        ------
        KeyError
            If the target has no such field.
        """
        for target_field in self.fields:
            if target_field.key == key:
                return target_field
        raise KeyError(key)

    def has_field(self, key: str) -> bool:
        """Whether the target has a field with this key."""
        return any(target_field.key == key for target_field in self.fields)


def normalise_header(text: str) -> str:
    """A header as it is compared: no case, accents, punctuation or extra spaces.

    ``%`` reads "percent" and ``#`` reads "number".

    Examples
    --------
    >>> normalise_header("  % Achevé "), normalise_header("Max. Units"), normalise_header("N°")
    ('percent acheve', 'max units', 'n')
    """
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(char for char in folded if not unicodedata.combining(char))
    folded = folded.replace("%", " percent ").replace("#", " number ")
    return " ".join(re.sub(r"[\W_]+", " ", folded).split())


def _names_of(target_field: TargetField) -> list[str]:
    names = [target_field.key, target_field.label, *target_field.synonyms]
    return list(dict.fromkeys(normalise_header(name) for name in names if normalise_header(name)))


def _field(
    key: str,
    label: str,
    kind: FieldKind,
    *synonyms: str,
    required: bool = False,
    choices: tuple[Choice, ...] = (),
    unit: str = "",
    minimum: Decimal | int | None = None,
    maximum: Decimal | int | None = None,
    fractions: bool = False,
) -> TargetField:
    return TargetField(
        key=key,
        label=label,
        kind=kind,
        required=required,
        synonyms=synonyms,
        choices=choices,
        unit=unit,
        minimum=None if minimum is None else Decimal(minimum),
        maximum=None if maximum is None else Decimal(maximum),
        fractions=fractions,
    )


_CONSTRAINT_CHOICES: Final = (
    Choice("ASAP", "As Soon As Possible", ("Dès que possible", "Au plus tôt")),
    Choice("ALAP", "As Late As Possible", ("Le plus tard possible", "Au plus tard")),
    Choice("MSO", "Must Start On", ("Doit commencer le",)),
    Choice("MFO", "Must Finish On", ("Doit finir le", "Doit se terminer le")),
    Choice("SNET", "Start No Earlier Than", ("Début au plus tôt le", "Ne pas commencer avant le")),
    Choice("SNLT", "Start No Later Than", ("Début au plus tard le", "Ne pas commencer après le")),
    Choice("FNET", "Finish No Earlier Than", ("Fin au plus tôt le", "Ne pas finir avant le")),
    Choice("FNLT", "Finish No Later Than", ("Fin au plus tard le", "Ne pas finir après le")),
)
_PRIORITY_CHOICES: Final = (
    Choice("100", "Lowest", ("La plus basse", "Très basse")),
    Choice("200", "Very Low", ("Très faible",)),
    Choice("300", "Lower", ("Plus basse", "Plus faible")),
    Choice("400", "Low", ("Basse", "Faible")),
    Choice("500", "Medium", ("Moyenne", "Normale", "Normal")),
    Choice("600", "High", ("Haute", "Élevée")),
    Choice("700", "Higher", ("Plus haute", "Plus élevée")),
    Choice("800", "Very High", ("Très haute", "Très élevée")),
    Choice("900", "Highest", ("La plus haute", "La plus élevée")),
    Choice("1000", "Do Not Level", ("Ne pas niveler",)),
)
_RESOURCE_TYPE_CHOICES: Final = (
    Choice("work", "Work", ("Travail", "Person", "Personne", "Human", "Humaine")),
    Choice("material", "Material", ("Matériel", "Matériau", "Consommable")),
    Choice("cost", "Cost", ("Coût",)),
)
_ID_SYNONYMS: Final = ("ID", "Id", "N°", "No", "Num", "Numéro", "Number", "#", "Task ID")

TASK_TARGET: Final = ImportTarget(
    key="tasks",
    label="Tasks",
    fields=(
        _field("id", "ID", "integer", *_ID_SYNONYMS, minimum=0),
        _field(
            "name",
            "Name",
            "text",
            "Task Name",
            "Nom de la tâche",
            "Nom",
            "Task",
            "Tâche",
            "Title",
            "Titre",
            "Activity",
            "Activité",
            "Libellé",
            "Summary",
            "Intitulé",
            required=True,
        ),
        _field("wbs", "WBS", "text", "Code WBS", "WBS Code", "Code OTP", "OTP", "EDT", "Code EDT"),
        _field(
            "outline_number",
            "Outline Number",
            "text",
            "Numéro hiérarchique",
            "Numéro de plan",
            "Numéro d'ordre hiérarchique",
        ),
        _field(
            "outline_level",
            "Outline Level",
            "integer",
            "Niveau hiérarchique",
            "Niveau de plan",
            "Level",
            "Niveau",
            minimum=0,
            maximum=100,
        ),
        _field("duration", "Duration", "duration", "Durée", unit="d"),
        _field("start", "Start", "datetime", "Début", "Start Date", "Date de début", "Begin"),
        _field(
            "finish", "Finish", "datetime", "Fin", "Finish Date", "Date de fin", "End", "End Date"
        ),
        _field(
            "predecessors",
            "Predecessors",
            "predecessors",
            "Prédécesseurs",
            "Predecessor",
            "Prédécesseur",
            "Dependencies",
            "Dépendances",
            "Depends on",
            "Dépend de",
            unit="d",
        ),
        _field(
            "percent_complete",
            "% Complete",
            "percent",
            "% achevé",
            "Percent Complete",
            "% complet",
            "% d'achèvement",
            "Progress",
            "Avancement",
            "Progression",
            minimum=0,
            maximum=1,
        ),
        _field(
            "resource_names",
            "Resource Names",
            "text",
            "Noms ressources",
            "Noms des ressources",
            "Resources",
            "Ressources",
            "Assigned To",
            "Assigné à",
            "Assignee",
            "Responsable",
        ),
        _field("notes", "Notes", "text", "Remarques", "Description", "Commentaires", "Comments"),
        _field("milestone", "Milestone", "boolean", "Jalon"),
        _field("work", "Work", "duration", "Travail", "Effort", "Charge", unit="h"),
        _field("cost", "Cost", "money", "Coût", "Budget"),
        _field("deadline", "Deadline", "datetime", "Échéance", "Date d'échéance", "Due Date"),
        _field(
            "priority",
            "Priority",
            "integer",
            "Priorité",
            choices=_PRIORITY_CHOICES,
            minimum=0,
            maximum=1000,
        ),
        _field(
            "constraint_type",
            "Constraint Type",
            "choice",
            "Type de contrainte",
            "Constraint",
            "Contrainte",
            choices=_CONSTRAINT_CHOICES,
        ),
        _field("constraint_date", "Constraint Date", "datetime", "Date de contrainte"),
        _field("actual_start", "Actual Start", "datetime", "Début réel"),
        _field("actual_finish", "Actual Finish", "datetime", "Fin réelle"),
    ),
)

RESOURCE_TARGET: Final = ImportTarget(
    key="resources",
    label="Resources",
    fields=(
        _field("id", "ID", "integer", *_ID_SYNONYMS[:-1], "Resource ID", minimum=0),
        _field(
            "name",
            "Name",
            "text",
            "Resource Name",
            "Nom de la ressource",
            "Nom",
            "Resource",
            "Ressource",
            "Full Name",
            "Nom complet",
            required=True,
        ),
        _field(
            "type",
            "Type",
            "choice",
            "Resource Type",
            "Type de ressource",
            choices=_RESOURCE_TYPE_CHOICES,
        ),
        _field("initials", "Initials", "text", "Initiales"),
        _field("group", "Group", "text", "Groupe", "Team", "Équipe", "Department", "Service"),
        _field(
            "max_units",
            "Max. Units",
            "percent",
            "Capacité max.",
            "Capacité maximale",
            "Max Units",
            "Maximum Units",
            "Capacity",
            "Capacité",
            minimum=0,
            fractions=True,
        ),
        _field(
            "standard_rate",
            "Std. Rate",
            "rate",
            "Taux standard",
            "Standard Rate",
            "Rate",
            "Taux",
            "Taux horaire",
            "Hourly Rate",
            unit="h",
        ),
        _field(
            "overtime_rate",
            "Ovt. Rate",
            "rate",
            "Taux heures supp.",
            "Overtime Rate",
            "Taux des heures supplémentaires",
            unit="h",
        ),
        _field(
            "cost_per_use",
            "Cost/Use",
            "money",
            "Coût/Utilisation",
            "Cost per Use",
            "Coût par utilisation",
        ),
        _field(
            "email",
            "Email",
            "text",
            "Adresse de messagerie",
            "E-mail",
            "Email Address",
            "Courriel",
            "Mail",
        ),
        _field(
            "base_calendar", "Base Calendar", "text", "Calendrier de base", "Calendar", "Calendrier"
        ),
        _field("code", "Code", "text", "Resource Code", "Code ressource"),
        _field(
            "material_label",
            "Material Label",
            "text",
            "Étiquette matériel",
            "Étiquette de matériel",
        ),
        _field("generic", "Generic", "boolean", "Générique"),
        _field("notes", "Notes", "text", "Remarques", "Comments", "Commentaires"),
    ),
)

TARGETS: Final[dict[str, ImportTarget]] = {
    TASK_TARGET.key: TASK_TARGET,
    RESOURCE_TARGET.key: RESOURCE_TARGET,
}
"""The targets a table can be imported as, by key."""


def register_target(target: ImportTarget) -> None:
    """Add a target to :data:`TARGETS` (an application's own records: risks, budgets ...).

    Raises
    ------
    ValueError
        If a different target already has the key.

    Examples
    --------
    >>> register_target(TARGETS["tasks"])
    >>> register_target(ImportTarget("tasks", "Other", ()))
    Traceback (most recent call last):
    ...
    ValueError: A different import target already has the key 'tasks'
    """
    existing = TARGETS.get(target.key)
    if existing is not None and existing != target:
        raise ValueError(f"A different import target already has the key {target.key!r}")
    TARGETS[target.key] = target


# Mapping ------------------------------------------------------------------------------------

_UNIT_SUFFIX: Final = re.compile(r"\s*[(\[]([^)\]]*)[)\]]\s*$")
_UNIT_WORDS: Final = frozenset(
    {
        "",
        "d",
        "day",
        "days",
        "j",
        "jour",
        "jours",
        "h",
        "hr",
        "hrs",
        "hour",
        "hours",
        "heure",
        "heures",
        "w",
        "weeks",
        "sem",
        "semaines",
        "percent",
        "required",
        "obligatoire",
        "optional",
        "facultatif",
        "optionnel",
        "dd mm yyyy",
        "jj mm aaaa",
        "mm dd yyyy",
        "yyyy mm dd",
        "aaaa mm jj",
    }
)


def guess_mapping(headers: Sequence[str], target: ImportTarget) -> Mapping:
    """Propose which column holds which field, from the headers.

    Headers are compared with each field's key, label and synonyms without case, accents,
    spaces or punctuation; then once more without a unit in brackets (``"Durée (jours)"``,
    ``"Cost (EUR)"``). Each field takes the first column that names it; other columns are
    left out.

    Parameters
    ----------
    headers : sequence of str
        The table's headers.
    target : ImportTarget
        What the table is imported as.

    Returns
    -------
    Mapping
        Column index to field key, by column.

    Examples
    --------
    >>> guess_mapping(["Nom de la tâche", "Durée (jours)", "Couleur", "Début", "Start"],
    ...               TARGETS["tasks"])
    {0: 'name', 1: 'duration', 3: 'start'}
    """
    names: dict[str, str] = {}
    for target_field in target.fields:
        for name in _names_of(target_field):
            names.setdefault(name, target_field.key)
    mapping: Mapping = {}
    used: set[str] = set()
    for strip_unit in (False, True):
        for index, header in enumerate(headers):
            if index in mapping:
                continue
            text = header
            if strip_unit:
                suffix = _UNIT_SUFFIX.search(header)
                if suffix is None or not _is_unit(suffix.group(1)):
                    continue
                text = header[: suffix.start()]
            key = names.get(normalise_header(text))
            if key is not None and key not in used:
                mapping[index] = key
                used.add(key)
    return dict(sorted(mapping.items()))


def _is_unit(text: str) -> bool:
    stripped = text.strip()
    if re.fullmatch(r"[A-Z]{3}|[^\w\s]{1,3}|k[^\w\s]", stripped):
        return True
    return normalise_header(stripped) in _UNIT_WORDS


def _mapping_items(mapping: dict[Any, str]) -> tuple[Mapping, list[str]]:
    columns: Mapping = {}
    problems: list[str] = []
    for raw_index, key in mapping.items():
        try:
            index = int(raw_index)
        except (TypeError, ValueError):
            problems.append(f"{raw_index!r} is not a column number")
            continue
        columns[index] = key
    return columns, problems


def check_mapping(
    mapping: dict[Any, str], headers: Sequence[str], target: ImportTarget
) -> list[str]:
    """What is wrong with a mapping, one sentence per problem (an empty list when nothing).

    Parameters
    ----------
    mapping : dict
        Column index (an int, or its text as JSON keeps it) to field key.
    headers : sequence of str
        The table's headers.
    target : ImportTarget
        What the table is imported as.

    Returns
    -------
    list of str
        Columns outside the table, unknown field keys, fields mapped twice, required fields
        without a column.

    Examples
    --------
    >>> check_mapping({"0": "name", 3: "duration", 1: "colour"}, ["Task", "Length"],
    ...               TARGETS["tasks"])  # doctest: +NORMALIZE_WHITESPACE
    ['column 4 is not in the table, which has 2 columns',
     "'colour' is not a field of Tasks"]
    >>> check_mapping({1: "duration"}, ["Task", "Length"], TARGETS["tasks"])
    ["no column is mapped to 'Name', which is required"]
    """
    columns, problems = _mapping_items(mapping)
    seen: dict[str, int] = {}
    for index, key in columns.items():
        if not 0 <= index < len(headers):
            problems.append(
                f"column {index + 1} is not in the table, which has {len(headers)} columns"
            )
            continue
        if not target.has_field(key):
            problems.append(f"{key!r} is not a field of {target.label}")
            continue
        if key in seen:
            first = seen[key]
            problems.append(
                f"'{target.field(key).label}' is mapped to two columns: "
                f"{_header_label(headers, first)} and {_header_label(headers, index)}"
            )
            continue
        seen[key] = index
    for target_field in target.fields:
        if target_field.required and target_field.key not in seen:
            problems.append(f"no column is mapped to '{target_field.label}', which is required")
    return problems


def _header_label(headers: Sequence[str], index: int) -> str:
    header = headers[index] if 0 <= index < len(headers) else ""
    return f"'{header}'" if header else f"column {get_column_letter(index + 1)}"


def mapping_to_headers(mapping: dict[Any, str], headers: Sequence[str]) -> dict[str, str]:
    """A mapping keyed by header text, to save and apply to a file whose columns moved.

    Columns without a header are left out.

    Examples
    --------
    >>> mapping_to_headers({0: "name", 2: "duration"}, ["Tâche", "", "Durée"])
    {'Tâche': 'name', 'Durée': 'duration'}
    """
    columns, _ = _mapping_items(mapping)
    return {
        headers[index]: key
        for index, key in sorted(columns.items())
        if 0 <= index < len(headers) and headers[index]
    }


def mapping_from_headers(saved: dict[str, str], headers: Sequence[str]) -> Mapping:
    """Apply a mapping saved by :func:`mapping_to_headers` to a table's headers.

    Headers are compared as :func:`guess_mapping` compares them; headers the saved mapping
    does not know are left out.

    Examples
    --------
    >>> mapping_from_headers({"Tâche": "name", "Durée": "duration"}, ["durée", "Notes", "TACHE"])
    {0: 'duration', 2: 'name'}
    """
    by_name = {normalise_header(header): key for header, key in saved.items()}
    mapping: Mapping = {}
    used: set[str] = set()
    for index, header in enumerate(headers):
        key = by_name.get(normalise_header(header))
        if key is not None and key not in used:
            mapping[index] = key
            used.add(key)
    return mapping


# Values ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Duration:
    """A duration read from a cell: whole minutes, the unit it was written in, and whether it
    was marked as an estimate (``"5 days?"``).

    Minutes are working minutes, or wall-clock minutes when the format is elapsed (``"ed"``).
    """

    minutes: int
    format: DurationFormat
    estimated: bool = False


@dataclass(frozen=True, slots=True)
class Rate:
    """Money per unit of time (``"$50.00/hr"``): an amount and what it is per."""

    amount: Decimal
    unit: RateUnit = "h"


@dataclass(frozen=True, slots=True)
class Predecessor:
    """One entry of a predecessors cell: the task's ID, the link type and the lag.

    ``lag_minutes`` is in working minutes (wall-clock when ``lag_format`` is elapsed);
    a percentage lag keeps its percentage in ``lag_percent``.
    """

    task_id: int
    type: PlanLinkType = "FS"
    lag_minutes: int = 0
    lag_format: DurationFormat | None = None
    lag_percent: float | None = None


@dataclass(frozen=True, slots=True)
class Record:
    """The values read from one row, by field key; fields with an empty or unreadable cell are
    absent."""

    number: int
    values: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RowError:
    """A cell that cannot be read, or a row that cannot be imported.

    ``message`` is the whole sentence to show, naming the row, the column and the problem:
    ``"row 7, column 'Durée': '5x' is not a duration"``.
    """

    row: int
    column_header: str
    field: str
    message: str


@dataclass(frozen=True)
class ConversionResult:
    """The records of a table's rows (every row, in order) and the errors found.

    Parameters
    ----------
    records : list of Record
        One per row of the table, even a row with errors (its unreadable values absent), so
        that a row's position stays its position in the table.
    errors : list of RowError
        In row order.
    file : str
        The table's file name, for messages.
    columns : dict of str to str
        The header of the column each mapped field came from, by field key.
    target : str
        The target's key.
    """

    records: list[Record]
    errors: list[RowError]
    file: str = ""
    columns: dict[str, str] = field(default_factory=dict)
    target: str = ""


class ImportRowsError(PlanFileError):
    """Rows that cannot be imported; ``errors`` lists them all, the message the first few.

    Examples
    --------
    >>> error = ImportRowsError("t.csv", [RowError(3, "Durée", "duration",
    ...                                   "row 3, column 'Durée': '5x' is not a duration")])
    >>> str(error)
    "t.csv: 1 problem: row 3, column 'Durée': '5x' is not a duration"
    """

    def __init__(self, file: str, errors: Sequence[RowError]) -> None:
        self.errors: tuple[RowError, ...] = tuple(errors)
        shown = "; ".join(error.message for error in self.errors[:5])
        more = f" (and {len(self.errors) - 5} more)" if len(self.errors) > 5 else ""
        count = len(self.errors)
        super().__init__(file, f"{count} problem{'s' if count != 1 else ''}: {shown}{more}")


class _InvalidValueError(Exception):
    """A cell that cannot be read as its field's kind; the text is the problem."""


_EMPTY_MARKERS: Final = frozenset({"na", "n/a", "nd", "n/d", "-", "--", "—", "–"})
_TRUE_WORDS: Final = frozenset({"yes", "y", "oui", "o", "true", "vrai", "1", "x", "✓", "✔"})
_FALSE_WORDS: Final = frozenset({"no", "n", "non", "false", "faux", "0"})
_CURRENCY_SIGNS: Final = re.compile(r"[€$£¥₹₩₽¤₣₺₴₦₱₪฿₫]")
_CURRENCY_CODE: Final = re.compile(r"^[A-Z]{3}(?=[\s\d(+-])|(?<=[\s\d)])[A-Z]{3}$")
_SPACES: Final = re.compile(r"[\s\u00a0\u202f\u2009\u2007']")
_NUMBER_SHAPE: Final = re.compile(r"^(\d[\d.,]*|[.,]\d+)$")
_RATE_SUFFIX: Final = re.compile(r"/\s*([^\W\d_]+)\.?\s*$")
_RATE_UNITS: Final[dict[str, RateUnit]] = {
    **dict.fromkeys(("m", "min", "mn", "minute"), "m"),
    **dict.fromkeys(("h", "hr", "hour", "heure"), "h"),
    **dict.fromkeys(("d", "day", "j", "jr", "jour"), "d"),
    **dict.fromkeys(("w", "wk", "week", "sem", "semaine"), "w"),
    **dict.fromkeys(("mo", "mon", "month", "ms", "mois"), "mo"),
    **dict.fromkeys(("y", "yr", "year", "an", "annee", "a"), "y"),
}
_DURATION_UNITS: Final[dict[str, str]] = {
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes", "mn"), "m"),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours", "heure", "heures"), "h"),
    **dict.fromkeys(("d", "dy", "dys", "day", "days", "j", "jr", "jrs", "jour", "jours"), "d"),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks", "sem", "sems", "semaine", "semaines"), "w"),
    **dict.fromkeys(("mo", "mon", "mons", "month", "months", "mois", "ms"), "mo"),
}
_ELAPSED_WORDS: Final = frozenset({"elapsed", "ecoule", "ecoules", "ecoulee", "ecoulees", "e"})
_DURATION_TEXT: Final = re.compile(
    r"^(?P<amount>\d+(?:[.,]\d+)?|[.,]\d+)\s*(?P<unit>[^\d?]*?)\s*(?P<estimated>\?)?$"
)
_CLOCK_DURATION: Final = re.compile(r"^(\d+):([0-5]\d)$")
_PREDECESSOR: Final = re.compile(
    r"\s*(?P<id>\d+)\s*(?P<type>FS|SS|FF|SF|FD|DD|DF)?\s*"
    r"(?:(?P<sign>[+-])\s*(?P<amount>\d+(?:[.,]\d+)?|[.,]\d+)\s*(?P<unit>[^\W\d_]+\.?|e?%)?"
    r"\s*\??)?\s*",
    re.IGNORECASE,
)
_LINK_TYPES: Final[dict[str, PlanLinkType]] = {
    "FS": "FS",
    "SS": "SS",
    "FF": "FF",
    "SF": "SF",
    "FD": "FS",
    "DD": "SS",
    "DF": "SF",
}
_MONTHS: Final[dict[str, int]] = {
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
_WEEKDAYS: Final[dict[str, int]] = {
    **dict.fromkeys(("monday", "mon", "lundi", "lun"), 0),
    **dict.fromkeys(("tuesday", "tue", "tues", "mardi", "mar"), 1),
    **dict.fromkeys(("wednesday", "wed", "mercredi", "mer"), 2),
    **dict.fromkeys(("thursday", "thu", "thur", "thurs", "jeudi", "jeu"), 3),
    **dict.fromkeys(("friday", "fri", "vendredi", "ven"), 4),
    **dict.fromkeys(("saturday", "sat", "samedi", "sam"), 5),
    **dict.fromkeys(("sunday", "sun", "dimanche", "dim"), 6),
}
_FILLER_WORDS: Final = frozenset({"a", "at", "le", "the", "of", "de", "du", "on"})
_TIME_OF_DAY: Final = re.compile(
    r"(?:^|\s)(?P<hour>\d{1,2})\s*(?:(?::\s*(?P<minute>\d{2})(?:\s*:\s*(?P<second>\d{2})"
    r"(?:[.,]\d+)?)?)|h\s*(?P<hminute>\d{2})?)\s*(?P<half>am|pm|a\.m\.|p\.m\.)?\s*$"
    r"|(?:^|\s)(?P<bare_hour>\d{1,2})\s*(?P<bare_half>am|pm|a\.m\.|p\.m\.)\s*$"
)
_ORDINAL: Final = re.compile(r"^(\d{1,2})(?:st|nd|rd|th|er|e|eme)$")


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text(value: Cell) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes" if not value.second else "seconds")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def _fold(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in folded if not unicodedata.combining(char))


def _number_vote(text: str) -> int:
    """+1 when a number's text shows a decimal comma, -1 a decimal point, 0 when it cannot say."""
    cleaned = _SPACES.sub("", _CURRENCY_SIGNS.sub("", text)).strip("()+-−%")
    match = re.match(r"^\d[\d.,]*", cleaned)
    if match is None:
        return 0
    digits = match.group(0)
    commas, points = digits.count(","), digits.count(".")
    if commas and points:
        return 1 if digits.rfind(",") > digits.rfind(".") else -1
    if commas == 1 and len(digits) - digits.index(",") - 1 != 3:
        return 1
    if points == 1 and len(digits) - digits.index(".") - 1 != 3:
        return -1
    if points > 1:
        return 1
    if commas > 1:
        return -1
    return 0


def _parse_number_text(text: str, decimal_comma: bool) -> Decimal:
    stripped = text.strip().replace("\u2212", "-")
    negative = False
    if stripped.startswith("(") and stripped.endswith(")"):
        negative, stripped = True, stripped[1:-1].strip()
    stripped = _SPACES.sub("", stripped)
    if stripped[:1] in "+-":
        negative ^= stripped[0] == "-"
        stripped = stripped[1:]
    if not _NUMBER_SHAPE.match(stripped):
        raise _InvalidValueError("number")
    commas, points = stripped.count(","), stripped.count(".")
    if commas and points:
        decimal, grouping = (",", ".") if stripped.rfind(",") > stripped.rfind(".") else (".", ",")
    elif commas:
        after = len(stripped) - stripped.rfind(",") - 1
        comma_groups = commas > 1 or (after == 3 and not decimal_comma)
        decimal, grouping = (".", ",") if comma_groups else (",", ".")
    elif points:
        after = len(stripped) - stripped.rfind(".") - 1
        point_groups = points > 1 or (after == 3 and decimal_comma)
        decimal, grouping = (",", ".") if point_groups else (".", ",")
    else:
        decimal, grouping = ".", ","
    whole, _, fraction = stripped.partition(decimal)
    if decimal in fraction or grouping in fraction:
        raise _InvalidValueError("number")
    if grouping in whole and not re.fullmatch(
        rf"\d{{1,3}}(?:{re.escape(grouping)}\d{{3}})+", whole
    ):
        raise _InvalidValueError("number")
    digits = whole.replace(grouping, "") + ("." + fraction if fraction else "")
    try:
        value = Decimal(digits or "0")
    except InvalidOperation as error:
        raise _InvalidValueError("number") from error
    return -value if negative else value


def _strip_currency(text: str) -> str:
    without_signs = _CURRENCY_SIGNS.sub(" ", text).strip()
    return _CURRENCY_CODE.sub("", without_signs).strip()


class _Reader:
    """Reads cells as their field's kind, with the table's conventions."""

    def __init__(self, *, minutes_per_day: int, day_first: bool, decimal_comma: bool) -> None:
        self.minutes_per_day = minutes_per_day
        self.day_first = day_first
        self.decimal_comma = decimal_comma
        self._factors: dict[str, int] = {
            "m": 1,
            "h": 60,
            "d": minutes_per_day,
            "w": 5 * minutes_per_day,
            "mo": 20 * minutes_per_day,
            "em": 1,
            "eh": 60,
            "ed": 1440,
            "ew": 10_080,
            "emo": 43_200,
        }
        self._kinds: dict[str, Callable[[TargetField, Cell], Any]] = {
            "text": lambda _, cell: _text(cell).replace("\r\n", "\n").replace("\r", "\n"),
            "integer": self.integer,
            "decimal": lambda target_field, cell: self.bounded(target_field, self.number(cell)),
            "money": lambda target_field, cell: self.bounded(target_field, self.money(cell)),
            "rate": self.rate,
            "percent": self.percent,
            "date": lambda _, cell: self.moment(cell).date(),
            "datetime": lambda _, cell: self.moment(cell),
            "duration": self.duration,
            "boolean": lambda _, cell: self.boolean(cell),
            "choice": self.choice,
            "predecessors": self.predecessors,
        }

    def read(self, target_field: TargetField, cell: Cell) -> Any:
        return self._kinds[target_field.kind](target_field, cell)

    def number(self, cell: Cell) -> Decimal:
        if isinstance(cell, bool):
            raise _InvalidValueError("number")
        if isinstance(cell, int | Decimal):
            return Decimal(cell)
        if isinstance(cell, float):
            if not math.isfinite(cell):
                raise _InvalidValueError("number")
            return Decimal(repr(float(cell)))
        if isinstance(cell, str):
            return _parse_number_text(cell, self.decimal_comma)
        raise _InvalidValueError("number")

    def bounded(self, target_field: TargetField, value: Decimal, shown: str = "") -> Decimal:
        shown = shown or _format_decimal(value)
        if target_field.minimum is not None and value < target_field.minimum:
            raise _InvalidValueError(
                f"must be at least {_format_decimal(target_field.minimum)}, not {shown}"
            )
        if target_field.maximum is not None and value > target_field.maximum:
            raise _InvalidValueError(
                f"must be at most {_format_decimal(target_field.maximum)}, not {shown}"
            )
        return value

    def integer(self, target_field: TargetField, cell: Cell) -> int:
        if isinstance(cell, str) and target_field.choices:
            choice = _match_choice(target_field, cell)
            if choice is not None:
                return int(choice.value)
        try:
            value = self.number(cell)
        except _InvalidValueError as error:
            raise _InvalidValueError("whole number") from error
        if value != value.to_integral_value():
            raise _InvalidValueError("whole number")
        return int(self.bounded(target_field, value))

    def money(self, cell: Cell) -> Decimal:
        if isinstance(cell, str):
            return _parse_number_text(_strip_currency(cell), self.decimal_comma)
        return self.number(cell)

    def rate(self, target_field: TargetField, cell: Cell) -> Rate:
        unit: RateUnit = _RATE_UNITS.get(target_field.unit or "h", "h")
        if isinstance(cell, str):
            suffix = _RATE_SUFFIX.search(cell)
            text = cell
            if suffix is not None:
                word = _fold(suffix.group(1))
                found = _RATE_UNITS.get(word) or _RATE_UNITS.get(word.rstrip("s"))
                if found is None:
                    raise _InvalidValueError("rate")
                unit, text = found, cell[: suffix.start()]
            try:
                amount = _parse_number_text(_strip_currency(text), self.decimal_comma)
            except _InvalidValueError as error:
                raise _InvalidValueError("rate") from error
        else:
            amount = self.number(cell)
        return Rate(self.bounded(target_field, amount), unit)

    def percent(self, target_field: TargetField, cell: Cell) -> Decimal:
        if isinstance(cell, ExcelPercent):
            fraction = self.number(cell)
        elif isinstance(cell, str) and cell.strip().endswith("%"):
            try:
                fraction = self.number(cell.strip()[:-1]) / 100
            except _InvalidValueError as error:
                raise _InvalidValueError("percentage") from error
        else:
            try:
                value = self.number(cell)
            except _InvalidValueError as error:
                raise _InvalidValueError("percentage") from error
            fraction = value if target_field.fractions else value / 100
        shown = f"{_format_decimal(fraction * 100)} %"
        return self.bounded(target_field, fraction, shown)

    def moment(self, cell: Cell) -> datetime:
        if isinstance(cell, datetime):
            return cell.replace(tzinfo=None)
        if isinstance(cell, date):
            return datetime(cell.year, cell.month, cell.day)
        if isinstance(cell, int | float) and not isinstance(cell, bool | ExcelPercent):
            if 1 <= cell < 2_958_466:
                converted = from_excel(cell)
                if isinstance(converted, datetime):
                    return converted
            raise _InvalidValueError("date")
        if isinstance(cell, str):
            return _parse_date_text(cell, day_first=self.day_first)
        raise _InvalidValueError("date")

    def boolean(self, cell: Cell) -> bool:
        if isinstance(cell, bool):
            return cell
        if isinstance(cell, int | float) and cell in (0, 1):
            return bool(cell)
        if isinstance(cell, str):
            word = _fold(cell.strip())
            if word in _TRUE_WORDS:
                return True
            if word in _FALSE_WORDS:
                return False
        raise _InvalidValueError("yes or no")

    def choice(self, target_field: TargetField, cell: Cell) -> str:
        choice = _match_choice(target_field, _text(cell))
        if choice is None:
            allowed = ", ".join(choice.label for choice in target_field.choices)
            raise _InvalidValueError(f"one of: {allowed}")
        return choice.value

    def duration(self, target_field: TargetField, cell: Cell) -> Duration:
        default = target_field.unit or "d"
        if isinstance(cell, timedelta):
            return Duration(_round(Decimal(cell.total_seconds()) / 60), "h")
        if isinstance(cell, bool):
            raise _InvalidValueError("duration")
        if isinstance(cell, int | float | Decimal):
            amount = self.number(cell)
            if amount < 0:
                raise _InvalidValueError("duration")
            return Duration(_round(amount * self._factors[default]), _duration_format(default))
        text = _text(cell)
        clock = _CLOCK_DURATION.match(text)
        if clock:
            return Duration(int(clock.group(1)) * 60 + int(clock.group(2)), "h")
        match = _DURATION_TEXT.match(text.casefold())
        if match is None:
            raise _InvalidValueError("duration")
        unit = _duration_unit(match.group("unit"), default)
        if unit is None or unit in PERCENT_FORMATS:
            raise _InvalidValueError("duration")
        amount = _plain_decimal(match.group("amount"))
        minutes = _round(amount * self._factors[unit])
        return Duration(minutes, _duration_format(unit), match.group("estimated") is not None)

    def predecessors(self, target_field: TargetField, cell: Cell) -> tuple[Predecessor, ...]:
        if isinstance(cell, int | float) and not isinstance(cell, bool):
            if float(cell).is_integer() and cell > 0:
                return (Predecessor(int(cell)),)
            raise _InvalidValueError("list of predecessors")
        text = _text(cell)
        default = target_field.unit or "d"
        found: list[Predecessor] = []
        position = 0
        while position < len(text):
            match = _PREDECESSOR.match(text, position)
            if match is None or not match.group("id"):
                raise _InvalidValueError("list of predecessors")
            found.append(self._predecessor(match, default))
            position = match.end()
            if position < len(text):
                if text[position] not in ";,":
                    raise _InvalidValueError("list of predecessors")
                position += 1
        return tuple(found)

    def _predecessor(self, match: re.Match[str], default: str) -> Predecessor:
        task_id = int(match.group("id"))
        link_type = _LINK_TYPES[(match.group("type") or "FS").upper()]
        if match.group("amount") is None:
            return Predecessor(task_id, link_type)
        amount = _plain_decimal(match.group("amount"))
        if match.group("sign") == "-":
            amount = -amount
        unit = _duration_unit(match.group("unit") or "", default)
        if unit is None:
            raise _InvalidValueError("list of predecessors")
        lag_format = _duration_format(unit)
        if lag_format in PERCENT_FORMATS:
            return Predecessor(task_id, link_type, 0, lag_format, float(amount))
        return Predecessor(task_id, link_type, _round(amount * self._factors[unit]), lag_format)


def _format_decimal(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _plain_decimal(text: str) -> Decimal:
    """A duration's or a lag's amount: digits with a decimal point or comma, no grouping."""
    return Decimal(text.replace(",", "."))


def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _duration_format(unit: str) -> DurationFormat:
    formats: dict[str, DurationFormat] = {
        "m": "m",
        "em": "em",
        "h": "h",
        "eh": "eh",
        "d": "d",
        "ed": "ed",
        "w": "w",
        "ew": "ew",
        "mo": "mo",
        "emo": "emo",
        "%": "%",
        "e%": "e%",
    }
    return formats[unit]


def _duration_unit(text: str, default: str) -> str | None:
    """The unit code ("d", "ew", "%" ...) a duration's unit text stands for, or None."""
    unit = " ".join(_fold(text).replace(".", " ").split())
    if not unit:
        return default
    if unit in ("%", "e%", "% e", "%e"):
        return "%" if unit == "%" else "e%"
    words = unit.split()
    elapsed = False
    if len(words) == 2 and words[0] in _ELAPSED_WORDS:
        elapsed, unit = True, words[1]
    elif len(words) == 2 and words[1] in _ELAPSED_WORDS:
        elapsed, unit = True, words[0]
    elif len(words) != 1:
        return None
    base = _DURATION_UNITS.get(unit)
    if base is None and not elapsed and len(unit) > 1:
        if unit.startswith("e"):
            base, elapsed = _DURATION_UNITS.get(unit[1:]), True
        if base is None and unit.endswith("e"):
            base, elapsed = _DURATION_UNITS.get(unit[:-1]), True
    if base is None:
        return None
    return "e" + base if elapsed else base


def _match_choice(target_field: TargetField, text: str) -> Choice | None:
    wanted = normalise_header(text)
    if not wanted:
        return None
    for choice in target_field.choices:
        names = (choice.value, choice.label, *choice.synonyms)
        if any(normalise_header(name) == wanted for name in names):
            return choice
    return None


def _year(text: str) -> int:
    if len(text) == 4:
        return int(text)
    if len(text) == 2:
        # As strptime's %y: 69-99 are 1969-1999, 00-68 are 2000-2068.
        year = int(text)
        return 1900 + year if year >= 69 else 2000 + year
    raise _InvalidValueError("date")


def _parse_date_text(text: str, *, day_first: bool) -> datetime:
    """Read a date, with or without a time, in the forms the module's documentation lists."""
    stripped = text.strip()
    try:
        return datetime.fromisoformat(stripped).replace(tzinfo=None)
    except ValueError:
        pass
    folded = _fold(stripped)
    hour = minute = second = 0
    clock = _TIME_OF_DAY.search(folded)
    if clock is not None and clock.start() > 0:
        if clock.group("bare_hour") is not None:
            hour, half = int(clock.group("bare_hour")), clock.group("bare_half")
        else:
            hour = int(clock.group("hour"))
            minute = int(clock.group("minute") or clock.group("hminute") or 0)
            second = int(clock.group("second") or 0)
            half = clock.group("half")
        if half is not None:
            if not 1 <= hour <= 12:
                raise _InvalidValueError("date")
            hour = hour % 12 + (12 if half.startswith("p") else 0)
        if hour > 23 or minute > 59 or second > 59:
            raise _InvalidValueError("date")
        folded = folded[: clock.start()]
    folded = re.sub(r"(?<=\d)t$", "", folded.strip())
    tokens = [token for token in re.split(r"[\s,/.\-]+", folded) if token]
    numbers: list[str] = []
    words: list[tuple[int, str]] = []
    for position, token in enumerate(tokens):
        ordinal = _ORDINAL.match(token)
        if token.isdigit():
            numbers.append(token)
        elif ordinal is not None:
            numbers.append(ordinal.group(1))
        elif token in _MONTHS or token in _WEEKDAYS:
            words.append((position, token))
        elif token not in _FILLER_WORDS:
            raise _InvalidValueError("date")
    weekday: int | None = None
    if len(numbers) == 3 and len(words) <= 1 and all(word in _WEEKDAYS for _, word in words):
        if words:
            weekday = _WEEKDAYS[words[0][1]]
        first, second_number, third = numbers
        if len(first) == 4:
            year, month, day = int(first), int(second_number), int(third)
        else:
            year = _year(third)
            day, month = _day_month(
                int(first), int(second_number), year, day_first=day_first, weekday=weekday
            )
    elif len(numbers) == 2 and words:
        months = [(position, word) for position, word in words if word in _MONTHS]
        if len(months) > 1:
            months = [(position, word) for position, word in months if word not in _WEEKDAYS]
        if len(months) != 1:
            raise _InvalidValueError("date")
        month_position, month_word = months[0]
        others = [word for position, word in words if position != month_position]
        if len(others) > 1 or not all(word in _WEEKDAYS for word in others):
            raise _InvalidValueError("date")
        month = _MONTHS[month_word]
        number_positions = [
            position
            for position, token in enumerate(tokens)
            if token.isdigit() or _ORDINAL.match(token)
        ]
        if month_position < number_positions[0]:
            day, year = int(numbers[0]), _year(numbers[1])
        elif month_position < number_positions[1]:
            if len(numbers[0]) == 4:
                year, day = int(numbers[0]), int(numbers[1])
            else:
                day, year = int(numbers[0]), _year(numbers[1])
        else:
            raise _InvalidValueError("date")
    else:
        raise _InvalidValueError("date")
    try:
        return datetime(year, month, day, hour, minute, second)
    except ValueError as error:
        raise _InvalidValueError("date") from error


def _day_month(
    first: int, second: int, year: int, *, day_first: bool, weekday: int | None
) -> tuple[int, int]:
    def valid(day: int, month: int) -> bool:
        try:
            date(year, month, day)
        except ValueError:
            return False
        return True

    options = [
        option
        for option in ((first, second), (second, first))[:: 1 if day_first else -1]
        if valid(*option)
    ]
    if not options:
        raise _InvalidValueError("date")
    if weekday is not None and len(options) == 2:
        matching = [
            option for option in options if date(year, option[1], option[0]).weekday() == weekday
        ]
        if len(matching) == 1:
            return matching[0]
    return options[0]


_KIND_NAMES: Final[dict[str, str]] = {
    "number": "a number",
    "whole number": "a whole number",
    "rate": "a rate",
    "percentage": "a percentage",
    "date": "a date",
    "duration": "a duration",
    "yes or no": "yes or no",
    "list of predecessors": "a list of predecessors (such as 3FS+2d;5SS)",
}


def _problem(value: Cell, reason: str) -> str:
    shown = _shorten(_text(value))
    if reason in _KIND_NAMES:
        return f"'{shown}' is not {_KIND_NAMES[reason]}"
    if reason.startswith("one of"):
        return f"'{shown}' is not {reason}"
    return f"'{shown}' {reason}" if not reason.startswith("must") else f"the value {reason}"


def convert_rows(
    table: Table,
    mapping: dict[Any, str],
    target: ImportTarget,
    *,
    minutes_per_day: int = 480,
    day_first: bool = True,
    decimal_comma: bool | None = None,
) -> ConversionResult:
    """Read the mapped cells of every row as their fields' kinds.

    Parameters
    ----------
    table : Table
        The table read by :func:`read_table`.
    mapping : dict
        Column index (int, or its text) to field key.
    target : ImportTarget
        What the table is imported as.
    minutes_per_day : int, optional
        Working minutes in a day of duration (480); a week is five days, a month twenty.
    day_first : bool, optional
        Read ``02/03/2026`` as 2 March (True, the default) or as February 3.
    decimal_comma : bool, optional
        Whether an ambiguous number such as ``"1,234"`` uses a decimal comma; by default the
        table's other numbers decide, else a comma separates thousands.

    Returns
    -------
    ConversionResult
        A record per row and an error per unreadable or missing required cell, such as
        ``"row 7, column 'Durée': '5x' is not a duration"``.

    Raises
    ------
    PlanFileError
        If the mapping is wrong (:func:`check_mapping`).

    Examples
    --------
    >>> table = read_table("Tâche;Coût;Fin\\nA;1 200,50 €;2 mars 2026\\nB;?;\\n".encode(),
    ...                    name="t.csv")
    >>> result = convert_rows(table, {0: "name", 1: "cost", 2: "finish"}, TARGETS["tasks"])
    >>> result.records[0].values
    {'name': 'A', 'cost': Decimal('1200.50'), 'finish': datetime.datetime(2026, 3, 2, 0, 0)}
    >>> [error.message for error in result.errors]
    ["row 3, column 'Coût': '?' is not a number"]
    """
    problems = check_mapping(mapping, table.headers, target)
    if problems:
        raise PlanFileError(table.name, "the column mapping is wrong: " + "; ".join(problems))
    columns = sorted(_mapping_items(mapping)[0].items())
    fields = [(index, target.field(key)) for index, key in columns]
    if decimal_comma is None:
        votes = sum(
            _number_vote(cell)
            for row in table.rows
            for index, target_field in fields
            if target_field.kind in _NUMBER_KINDS and isinstance(cell := row.cell(index), str)
        )
        decimal_comma = votes > 0
    reader = _Reader(
        minutes_per_day=minutes_per_day, day_first=day_first, decimal_comma=decimal_comma
    )
    fields = [
        (index, replace(target_field, fractions=True))
        if target_field.kind == "percent"
        and not target_field.fractions
        and _fractions_column(reader, table, index)
        else (index, target_field)
        for index, target_field in fields
    ]
    records: list[Record] = []
    errors: list[RowError] = []
    for row in table.rows:
        values: dict[str, Any] = {}
        for index, target_field in fields:
            cell = row.cell(index)
            header = table.headers[index]
            if _is_blank(cell) or (
                target_field.kind != "text"
                and isinstance(cell, str)
                and len(cell.strip()) <= 3
                and _fold(cell.strip()) in _EMPTY_MARKERS
            ):
                if target_field.required:
                    errors.append(
                        RowError(
                            row.number,
                            header,
                            target_field.key,
                            f"row {row.number}, column {table.column_label(index)}: "
                            f"{target_field.label} is required but the cell is empty",
                        )
                    )
                continue
            try:
                values[target_field.key] = reader.read(target_field, cell)
            except _InvalidValueError as error:
                errors.append(
                    RowError(
                        row.number,
                        header,
                        target_field.key,
                        f"row {row.number}, column {table.column_label(index)}: "
                        f"{_problem(cell, str(error))}",
                    )
                )
        records.append(Record(row.number, values))
    return ConversionResult(
        records=records,
        errors=errors,
        file=table.name,
        columns={target_field.key: table.headers[index] for index, target_field in fields},
        target=target.key,
    )


def _fractions_column(reader: _Reader, table: Table, index: int) -> bool:
    """Whether a percent column writes plain numbers as fractions: all of them between 0 and 1,
    and one at least strictly between (0.5 rather than 50)."""
    plain: list[Decimal] = []
    for row in table.rows:
        cell = row.cell(index)
        if _is_blank(cell) or isinstance(cell, ExcelPercent | bool):
            continue
        if isinstance(cell, str) and cell.strip().endswith("%"):
            continue
        try:
            plain.append(reader.number(cell))
        except _InvalidValueError:
            continue
    return (
        bool(plain)
        and all(0 <= value <= 1 for value in plain)
        and any(0 < value < 1 for value in plain)
    )


# Documents ------------------------------------------------------------------------------------

_START_CONSTRAINTS: Final = frozenset({"MSO", "SNET", "SNLT"})
_FINISH_CONSTRAINTS: Final = frozenset({"MFO", "FNET", "FNLT"})
_STANDARD_MINUTES_PER_DAY: Final = 480


class _Problems:
    """Errors found while building a document, and the warnings to report."""

    def __init__(self, result: ConversionResult) -> None:
        self.result = result
        self.errors: list[RowError] = list(result.errors)
        self.warnings: list[str] = []
        self.consequence: dict[int, str] = {}

    def column(self, key: str) -> str:
        header = self.result.columns.get(key, "")
        return f"'{header}'" if header else "?"

    def add(
        self, row: int, key: str, problem: str, consequence: str = "the value was ignored"
    ) -> None:
        message = f"row {row}, column {self.column(key)}: {problem}"
        self.errors.append(RowError(row, self.result.columns.get(key, ""), key, message))
        self.consequence[len(self.errors) - 1] = consequence

    def finish(self, *, ignore_errors: bool, skipped_rows: set[int]) -> tuple[str, ...]:
        if self.errors and not ignore_errors:
            self.errors.sort(key=lambda error: error.row)
            raise ImportRowsError(self.result.file, self.errors)
        notes: list[str] = []
        for position, error in enumerate(self.errors):
            consequence = self.consequence.get(position)
            if consequence is None:
                consequence = (
                    "the row was skipped" if error.row in skipped_rows else "the value was ignored"
                )
            notes.append(f"{error.message}; {consequence}")
        return (*notes, *self.warnings)


def _at(value: datetime | None, default_minute: int) -> datetime | None:
    """A date-time, a date at midnight taken at the default time of day."""
    if value is None:
        return None
    if value.hour == value.minute == value.second == value.microsecond == 0:
        return value + timedelta(minutes=default_minute)
    return value


@dataclass
class _TaskRow:
    position: int
    record: Record
    uid: int
    task_id: int | None
    level: int = 1
    parent_uid: int | None = None
    summary: bool = False


def tasks_document(
    result: ConversionResult,
    *,
    name: str,
    source_format: str,
    minutes_per_day: int = 480,
    ignore_errors: bool = False,
) -> ProjectDocument:
    """Build a project document from the records of a tasks table.

    - Task UIDs are the rows' positions among the records (1, 2, 3 ...); IDs are the ``id``
      column when it is mapped, else the same positions, and predecessors refer to them.
    - The hierarchy comes from ``outline_level``; without it, from the depth of the outline
      number or WBS code (``1.2.3`` is three levels deep). A row with outline level 0 (or ID 0)
      first in the table is the project summary row: it goes to ``plan.project_summary``.
    - A milestone is a row flagged as one, or with a duration of zero.
    - A task without a duration but with a start and a finish gets the working time between
      them on a Monday-to-Friday week; a date without a time is taken at 08:00 for a start and
      17:00 for a finish.
    - ``resource_names`` in Microsoft Project's form (``"Alice[50%]; Bob"``) become resources
      and assignments (the units in brackets, as a fraction; none when not given).

    Parameters
    ----------
    result : ConversionResult
        :func:`convert_rows` with ``TARGETS["tasks"]``.
    name : str
        The plan's name.
    source_format : str
        The document's ``format``: ``"xlsx"`` or ``"csv"``.
    minutes_per_day : int, optional
        As given to :func:`convert_rows`.
    ignore_errors : bool, optional
        Import what can be imported: rows without a name are skipped, unreadable values and
        links to unknown tasks left out, each said in the document's warnings.

    Returns
    -------
    ProjectDocument

    Raises
    ------
    ImportRowsError
        Unless ``ignore_errors``, when the conversion or the building found errors: every
        error of the result, and links to IDs no row has, duplicate IDs, a finish before a
        start, a dated constraint without a date.

    Examples
    --------
    >>> table = read_table(
    ...     b"ID,Name,Outline Level,Duration,Predecessors,Resource Names\\n"
    ...     b"1,Build,1,,,\\n2,Walls,2,3d,,Alice[50%]\\n3,Roof,2,2d,2,Alice;Bob\\n"
    ...     b"4,Done,1,0d,3,\\n",
    ...     name="plan.csv",
    ... )
    >>> result = convert_rows(table, guess_mapping(table.headers, TARGETS["tasks"]),
    ...                       TARGETS["tasks"])
    >>> document = tasks_document(result, name="House", source_format="csv")
    >>> [(t.name, t.outline_level, t.parent_uid, t.summary, t.milestone)
    ...  for t in document.plan.tasks]  # doctest: +NORMALIZE_WHITESPACE
    [('Build', 1, None, True, False), ('Walls', 2, 1, False, False),
     ('Roof', 2, 1, False, False), ('Done', 1, None, False, True)]
    >>> document.counts()
    {'tasks': 4, 'links': 2, 'resources': 2, 'assignments': 3, 'calendars': 0}
    """
    _check_target(result, "tasks")
    problems = _Problems(result)
    columns = result.columns
    uses_ids = "id" in columns
    rows: list[_TaskRow] = []
    skipped_rows: set[int] = set()
    by_id: dict[int, _TaskRow] = {}
    summary_row: _TaskRow | None = None
    for position, record in enumerate(result.records, start=1):
        values = record.values
        if "name" not in values:
            skipped_rows.add(record.number)
            continue
        task_id = values.get("id") if uses_ids else position
        row = _TaskRow(position, record, uid=position, task_id=task_id)
        if not rows and summary_row is None and (values.get("outline_level") == 0 or task_id == 0):
            summary_row = row
            continue
        if values.get("outline_level") == 0:
            problems.add(
                record.number,
                "outline_level",
                "outline level 0 is the project summary row's, which must come first",
            )
            del values["outline_level"]
        if task_id is not None:
            if task_id in by_id:
                problems.add(
                    record.number,
                    "id",
                    f"ID {task_id} is also the ID of row {by_id[task_id].record.number}",
                    "the row cannot be referred to by that ID",
                )
            else:
                by_id[task_id] = row
        rows.append(row)
    _place_in_outline(rows, columns, problems)

    working = _StandardWeek(minutes_per_day)
    tasks: list[PlanTask] = []
    details: dict[int, TaskDetails] = {}
    derived: list[int] = []
    without_duration: list[int] = []
    kept: list[_TaskRow] = []
    for row in rows:
        task = _plan_task(row, problems, working, derived, without_duration)
        if task is not None:
            tasks.append(task)
            kept.append(row)
            task_details = _task_details(row.record.values)
            if task_details is not None:
                details[row.uid] = task_details
    links = _links(kept, by_id, uses_ids, len(result.records), problems)
    resources, assignments = _assignments(kept, problems)
    if derived:
        problems.warnings.append(
            f"{_count(len(derived), 'task')} without a duration got the working time between "
            f"their start and finish on a Monday-to-Friday week (rows {_rows(derived)})"
        )
    if without_duration and any(key in columns for key in ("duration", "start", "finish")):
        problems.warnings.append(
            f"{_count(len(without_duration), 'task')} with neither a duration nor both a start "
            f"and a finish got a duration of 0 (rows {_rows(without_duration)})"
        )
    project_summary = None
    if summary_row is not None:
        values = summary_row.record.values
        project_summary = PlanTask(
            uid=0,
            id=0,
            name=values["name"],
            outline_level=0,
            summary=True,
            start=_at(values.get("start"), 480),
            finish=_at(values.get("finish"), 1020),
            notes=values.get("notes", ""),
        )
    starts = [task.start for task in tasks if task.start is not None]
    warnings = problems.finish(ignore_errors=ignore_errors, skipped_rows=skipped_rows)
    try:
        plan = Plan(
            name=name,
            start=min(starts) if starts else None,
            minutes_per_day=minutes_per_day,
            minutes_per_week=5 * minutes_per_day,
            tasks=tuple(tasks),
            links=tuple(links),
            project_summary=project_summary,
        )
    except EngineError as error:
        raise PlanFileError(result.file, str(error)) from error
    return ProjectDocument(
        format=source_format,
        plan=plan,
        task_details=details,
        resources=tuple(resources),
        assignments=tuple(assignments),
        warnings=warnings,
    )


def _check_target(result: ConversionResult, key: str) -> None:
    if result.target and result.target != key:
        raise ValueError(f"The rows were converted as {result.target!r}, not as {key!r}")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


def _rows(numbers: Sequence[int], limit: int = 10) -> str:
    shown = ", ".join(str(number) for number in numbers[:limit])
    return shown + (" ..." if len(numbers) > limit else "")


def _place_in_outline(rows: list[_TaskRow], columns: dict[str, str], problems: _Problems) -> None:
    depths: list[int | None] = []
    source = next(
        (key for key in ("outline_level", "outline_number", "wbs") if key in columns), None
    )
    for row in rows:
        value = row.record.values.get(source) if source is not None else None
        if value is None or source is None:
            depths.append(None)
        elif source == "outline_level":
            depths.append(int(value))
        else:
            parts = [part for part in str(value).split(".") if part.strip()]
            depths.append(len(parts) if parts else None)
    known = [depth for depth in depths if depth is not None]
    shift = min(known) - 1 if known else 0
    stack: list[_TaskRow] = []
    previous_level = 0
    for row, depth in zip(rows, depths, strict=True):
        level = depth - shift if depth is not None else max(previous_level, 1)
        if level > previous_level + 1:
            problems.warnings.append(
                f"row {row.record.number}: outline level {depth} follows level "
                f"{previous_level + shift}; the task was placed one level below the task "
                "before it"
            )
            level = previous_level + 1
        while stack and stack[-1].level >= level:
            stack.pop()
        row.level = level
        row.parent_uid = stack[-1].uid if stack else None
        if stack:
            stack[-1].summary = True
        stack.append(row)
        previous_level = level


class _StandardWeek:
    """Working minutes between two instants on Monday to Friday, 08:00-12:00 and 13:00-17:00,
    scaled to the plan's minutes per day; compiled on first use."""

    def __init__(self, minutes_per_day: int) -> None:
        self.minutes_per_day = minutes_per_day
        self._working: WorkingTime | None = None

    def between(self, start: datetime, finish: datetime) -> int:
        if self._working is None:
            self._working = compile_calendar(
                Calendar("Standard", WeekPattern.standard()), start.date(), finish.date()
            )
        minutes = int(
            self._working.working_between(
                np.datetime64(start.replace(second=0, microsecond=0), "m"),
                np.datetime64(finish.replace(second=0, microsecond=0), "m"),
            )
        )
        return minutes * self.minutes_per_day // _STANDARD_MINUTES_PER_DAY


def _plan_task(
    row: _TaskRow,
    problems: _Problems,
    working: _StandardWeek,
    derived: list[int],
    without_duration: list[int],
) -> PlanTask | None:
    values = row.record.values
    number = row.record.number
    start = _at(values.get("start"), 480)
    finish = _at(values.get("finish"), 1020)
    if start is not None and finish is not None and finish < start:
        problems.add(number, "finish", "the finish is before the start")
        finish = None
    duration: Duration | None = values.get("duration")
    if duration is None and not row.summary:
        if start is not None and finish is not None:
            try:
                duration = Duration(working.between(start, finish), "d")
            except EngineError as error:
                problems.add(number, "finish", f"the working time cannot be counted ({error})")
            else:
                derived.append(number)
        elif not values.get("milestone"):
            without_duration.append(number)
    flag = values.get("milestone")
    milestone = (
        bool(flag)
        if flag is not None
        else duration is not None and duration.minutes == 0 and not row.summary
    )
    constraint_type: PlanConstraintType = values.get("constraint_type", "ASAP")
    constraint_date: datetime | None = values.get("constraint_date")
    if constraint_type in _START_CONSTRAINTS or constraint_type in _FINISH_CONSTRAINTS:
        if constraint_date is None:
            label = next(
                choice.label for choice in _CONSTRAINT_CHOICES if choice.value == constraint_type
            )
            problems.add(
                number,
                "constraint_type",
                f"a '{label}' constraint needs a constraint date",
                "the constraint was ignored",
            )
            constraint_type = "ASAP"
        else:
            default = 480 if constraint_type in _START_CONSTRAINTS else 1020
            constraint_date = _at(constraint_date, default)
    elif constraint_date is not None:
        problems.warnings.append(
            f"row {number}: the constraint date has no constraint type that uses it; it was ignored"
        )
        constraint_date = None
    actual_start = _at(values.get("actual_start"), 480)
    actual_finish = _at(values.get("actual_finish"), 1020)
    if actual_start is not None and actual_finish is not None and actual_finish < actual_start:
        problems.add(number, "actual_finish", "the actual finish is before the actual start")
        actual_finish = None
    percent = values.get("percent_complete")
    try:
        return PlanTask(
            uid=row.uid,
            id=row.task_id,
            name=values["name"],
            outline_level=row.level,
            wbs=values.get("wbs", ""),
            outline_number=values.get("outline_number", ""),
            parent_uid=row.parent_uid,
            summary=row.summary,
            milestone=milestone,
            duration_minutes=duration.minutes if duration is not None else 0,
            duration_format=duration.format if duration is not None else None,
            estimated=duration.estimated if duration is not None else False,
            elapsed=duration is not None and duration.format in ELAPSED_FORMATS,
            constraint_type=constraint_type,
            constraint_date=constraint_date,
            deadline=_at(values.get("deadline"), 1020),
            priority=values.get("priority", 500),
            percent_complete=float(percent * 100) if percent is not None else 0.0,
            actual_start=actual_start,
            actual_finish=actual_finish,
            notes=values.get("notes", ""),
            start=start,
            finish=finish,
        )
    except EngineError as error:
        problems.add(number, "name", str(error), "the row was skipped")
        return None


def _task_details(values: dict[str, Any]) -> TaskDetails | None:
    work: Duration | None = values.get("work")
    cost: Decimal | None = values.get("cost")
    if work is None and cost is None:
        return None
    return TaskDetails(work_minutes=work.minutes if work is not None else None, cost=cost)


def _links(
    rows: list[_TaskRow],
    by_id: dict[int, _TaskRow],
    uses_ids: bool,
    record_count: int,
    problems: _Problems,
) -> list[PlanLink]:
    kept_uids = {row.uid for row in rows}
    links: list[PlanLink] = []
    seen: set[tuple[int, int]] = set()
    for row in rows:
        for predecessor in row.record.values.get("predecessors", ()):
            target = by_id.get(predecessor.task_id)
            number = row.record.number
            if target is None or target.uid not in kept_uids:
                if uses_ids:
                    problem = f"no row has the ID {predecessor.task_id}"
                elif predecessor.task_id > record_count:
                    problem = (
                        f"there is no task {predecessor.task_id}: the table has "
                        f"{_count(record_count, 'row')}"
                    )
                else:
                    problem = f"task {predecessor.task_id} was not imported"
                problems.add(number, "predecessors", problem, "the link was left out")
                continue
            if target.uid == row.uid:
                problems.add(
                    number,
                    "predecessors",
                    "a task cannot be its own predecessor",
                    "the link was left out",
                )
                continue
            if (target.uid, row.uid) in seen:
                problems.warnings.append(
                    f"row {number}: task {predecessor.task_id} is listed twice as a predecessor; "
                    "the second link was left out"
                )
                continue
            seen.add((target.uid, row.uid))
            lag_format = predecessor.lag_format
            links.append(
                PlanLink(
                    predecessor_uid=target.uid,
                    successor_uid=row.uid,
                    type=predecessor.type,
                    lag_minutes=predecessor.lag_minutes,
                    lag_format=lag_format,
                    lag_percent=predecessor.lag_percent,
                    elapsed_lag=lag_format is not None and lag_format in ELAPSED_FORMATS,
                )
            )
    return links


_ASSIGNMENT: Final = re.compile(r"^(?P<name>[^\[\]]*?)\s*(?:\[(?P<units>[^\[\]]*)\])?$")


def _split_names(text: str) -> list[str]:
    """Split "Alice[50%]; Bob, Carol" at separators outside brackets."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for char in text:
        if char == "[":
            depth += 1
        elif char == "]":
            depth = max(depth - 1, 0)
        if char in ";," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


def _units(text: str) -> Decimal:
    stripped = text.strip()
    if stripped.endswith("%"):
        return _parse_number_text(stripped[:-1], decimal_comma=True) / 100
    amount = re.match(r"^[\d.,\s]+", stripped)
    if amount is None:
        raise _InvalidValueError("units")
    return _parse_number_text(amount.group(0), decimal_comma=True)


def _assignments(
    rows: list[_TaskRow], problems: _Problems
) -> tuple[list[DocumentResource], list[DocumentAssignment]]:
    resources: dict[str, DocumentResource] = {}
    assignments: list[DocumentAssignment] = []
    for row in rows:
        text = row.record.values.get("resource_names")
        if not text:
            continue
        assigned: set[int] = set()
        for part in _split_names(text):
            match = _ASSIGNMENT.match(part)
            units: Decimal | None = None
            if match is not None and match.group("units") is not None:
                try:
                    units = _units(match.group("units"))
                except _InvalidValueError:
                    match = None
            if match is None or not match.group("name").strip():
                problems.add(
                    row.record.number,
                    "resource_names",
                    f"'{_shorten(part)}' is not a resource name with optional units in "
                    "brackets (such as Alice[50%])",
                )
                continue
            resource_name = " ".join(match.group("name").split())
            key = resource_name.casefold()
            resource = resources.get(key)
            if resource is None:
                uid = len(resources) + 1
                resource = DocumentResource(uid=uid, id=uid, name=resource_name)
                resources[key] = resource
            if resource.uid in assigned:
                problems.warnings.append(
                    f"row {row.record.number}: {resource_name} is assigned twice; the second "
                    "assignment was left out"
                )
                continue
            assigned.add(resource.uid)
            assignments.append(
                DocumentAssignment(
                    uid=len(assignments) + 1,
                    task_uid=row.uid,
                    resource_uid=resource.uid,
                    units=units,
                )
            )
    return list(resources.values()), assignments


_KNOWN_CALENDARS: Final[dict[str, WeekPattern]] = {
    "standard": WeekPattern.standard(),
    "24 hours": WeekPattern.continuous(),
    "24 heures": WeekPattern.continuous(),
}


def resources_document(
    result: ConversionResult,
    *,
    name: str,
    source_format: str,
    ignore_errors: bool = False,
) -> ProjectDocument:
    """Build a document holding the resources of a resources table (a plan without tasks).

    Resource UIDs are the rows' positions among the records; IDs the ``id`` column when it is
    mapped, else the same positions. A base calendar named "Standard" or "24 Hours" becomes
    that calendar; another name becomes a calendar of that name with the standard week, said
    in the warnings, since a table cannot say its working time.

    Parameters
    ----------
    result : ConversionResult
        :func:`convert_rows` with ``TARGETS["resources"]``.
    name : str
        The plan's name.
    source_format : str
        The document's ``format``.
    ignore_errors : bool, optional
        Import what can be imported; see :func:`tasks_document`.

    Returns
    -------
    ProjectDocument

    Raises
    ------
    ImportRowsError
        Unless ``ignore_errors``, when the conversion found errors or IDs repeat.

    Examples
    --------
    >>> table = read_table(
    ...     "Nom de la ressource;Type;Capacité max.;Taux standard\\n"
    ...     "Alice;Travail;50%;60,00 €/h\\nCiment;Matériel;;12 €\\n".encode(),
    ...     name="ressources.csv",
    ... )
    >>> result = convert_rows(table, guess_mapping(table.headers, TARGETS["resources"]),
    ...                       TARGETS["resources"])
    >>> document = resources_document(result, name="Equipe", source_format="csv")
    >>> [(r.name, r.kind, r.max_units, r.standard_rate) for r in document.resources]
    [('Alice', 'work', Decimal('0.5'), Decimal('60.00')), ('Ciment', 'material', None, \
Decimal('12'))]
    """
    _check_target(result, "resources")
    problems = _Problems(result)
    uses_ids = "id" in result.columns
    resources: list[DocumentResource] = []
    calendars: dict[str, PlanCalendar] = {}
    skipped_rows: set[int] = set()
    ids: dict[int, int] = {}
    calendar_field = CustomField("Base Calendar", owner="resource", kind="text")
    for position, record in enumerate(result.records, start=1):
        values = record.values
        if "name" not in values:
            skipped_rows.add(record.number)
            continue
        resource_id = values.get("id") if uses_ids else position
        if resource_id is not None:
            if resource_id in ids:
                problems.add(
                    record.number,
                    "id",
                    f"ID {resource_id} is also the ID of row {ids[resource_id]}",
                )
            else:
                ids[resource_id] = record.number
        calendar_uid = None
        calendar_name = values.get("base_calendar")
        if calendar_name:
            calendar_uid = _resource_calendar(calendar_name, calendars, problems, record.number)
        kind: ResourceKind = values.get("type", "work")
        standard_rate: Rate | None = values.get("standard_rate")
        overtime_rate: Rate | None = values.get("overtime_rate")
        resources.append(
            DocumentResource(
                uid=position,
                id=resource_id,
                name=values["name"],
                kind=kind,
                initials=values.get("initials", ""),
                email=values.get("email", ""),
                group=values.get("group", ""),
                code=values.get("code", ""),
                notes=values.get("notes", ""),
                material_label=values.get("material_label", ""),
                max_units=values.get("max_units"),
                standard_rate=standard_rate.amount if standard_rate else None,
                standard_rate_unit=standard_rate.unit if standard_rate else "h",
                overtime_rate=overtime_rate.amount if overtime_rate else None,
                overtime_rate_unit=overtime_rate.unit if overtime_rate else "h",
                cost_per_use=values.get("cost_per_use"),
                calendar_uid=calendar_uid,
                generic=values.get("generic", False),
                custom_values=(
                    (CustomValue(calendar_field.key, calendar_name),) if calendar_name else ()
                ),
            )
        )
    warnings = problems.finish(ignore_errors=ignore_errors, skipped_rows=skipped_rows)
    return ProjectDocument(
        format=source_format,
        plan=Plan(name=name, calendars=tuple(calendars.values())),
        custom_fields=(calendar_field,) if any(r.custom_values for r in resources) else (),
        resources=tuple(resources),
        warnings=warnings,
    )


def _resource_calendar(
    calendar_name: str, calendars: dict[str, PlanCalendar], problems: _Problems, number: int
) -> int:
    key = " ".join(calendar_name.casefold().split())
    existing = calendars.get(key)
    if existing is not None:
        return existing.uid
    week = _KNOWN_CALENDARS.get(key)
    if week is None:
        problems.warnings.append(
            f"row {number}: the calendar '{calendar_name}' is not described in the table; it "
            "was given the standard week (Monday to Friday, 08:00-12:00 and 13:00-17:00)"
        )
        week = WeekPattern.standard()
    uid = len(calendars) + 1
    calendars[key] = PlanCalendar(uid, Calendar(calendar_name, week))
    return uid
