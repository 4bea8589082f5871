"""What the spreadsheet imports of finance share: the uploaded file kept between its preview
and its apply, the column mappings saved by header for the next file of the same layout, and
the reading of the mapping and the row errors of a preview.

An upload waits as a temporary file of at most 5 MB under the data directory
(``imports/<folder>/<token>``), readable only by the user who uploaded it and removed after the
apply or after two days.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext

from pilotage.core.errors import NotFoundError
from pilotage.core.services import acting_user
from pilotage.exchange.models import ColumnMapping
from pilotage.interop.errors import PlanFileError
from pilotage.interop.tabular import (
    ConversionResult,
    ImportTarget,
    RowError,
    Table,
    convert_rows,
    guess_mapping,
    mapping_from_headers,
    mapping_to_headers,
    normalise_header,
    read_table,
)

__all__ = [
    "MAX_UPLOAD_BYTES",
    "RowsPreview",
    "SheetPreview",
    "SheetRowError",
    "StoredUpload",
    "UploadStore",
    "cell_errors",
    "check_size",
    "choose_mapping",
    "header_names",
    "mapped_rows",
    "mapping_list",
    "mapping_save",
    "read_sheet",
    "refuse_row_errors",
    "refuse_unusable",
    "row_error",
    "saved_mapping_for",
]

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
UPLOAD_LIFETIME_SECONDS = 2 * 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def check_size(content: bytes) -> None:
    """Refuse an empty file or one over :data:`MAX_UPLOAD_BYTES`."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            {
                "file": gettext("The file is larger than %(limit)d MB: split it.")
                % {"limit": MAX_UPLOAD_BYTES // (1024 * 1024)}
            },
            code="too_large",
        )
    if not content:
        raise ValidationError({"file": gettext("The file is empty.")}, code="empty")


def read_sheet(*, name: str, content: bytes) -> Table:
    """The table of a CSV or Excel file; ``ValidationError`` on the file field if unreadable."""
    check_size(content)
    try:
        return read_table(content, name=name)
    except PlanFileError as error:
        raise ValidationError({"file": str(error)}, code="unreadable") from error


# The uploaded file between preview and apply --------------------------------------------------


@dataclass(frozen=True)
class StoredUpload:
    """An uploaded file waiting to be applied, with what the upload page chose."""

    token: str
    name: str
    content: bytes
    project_id: int | None
    mapping: dict[int, str] | None
    options: dict[str, Any] = field(default_factory=dict)


class UploadStore:
    """Uploaded files of one kind of import, under ``imports/<folder>`` of the data directory."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def directory(self) -> Path:
        return Path(settings.DATA_DIR) / "imports" / self.folder

    def _forget_stale(self, directory: Path) -> None:
        cutoff = time.time() - UPLOAD_LIFETIME_SECONDS
        for path in directory.glob("*.json"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.with_suffix(".bin").unlink(missing_ok=True)
                    path.unlink(missing_ok=True)
            except OSError:
                continue

    def store(
        self,
        *,
        actor: Any,
        name: str,
        content: bytes,
        project_id: int | None = None,
        options: dict[str, Any] | None = None,
    ) -> str:
        """Keep an uploaded file for its preview; returns the token that names it."""
        check_size(content)
        directory = self.directory()
        directory.mkdir(parents=True, exist_ok=True)
        self._forget_stale(directory)
        token = secrets.token_urlsafe(24)
        (directory / f"{token}.bin").write_bytes(content)
        (directory / f"{token}.json").write_text(
            json.dumps(
                {
                    "name": Path(name).name[:200] or "export.csv",
                    "user": getattr(actor, "pk", None),
                    "project": project_id,
                    "mapping": None,
                    "options": options or {},
                }
            ),
            encoding="utf-8",
        )
        return token

    def _meta_path(self, token: str) -> Path:
        if not _TOKEN.match(token or ""):
            raise NotFoundError()
        return self.directory() / f"{token}.json"

    def get(self, token: str, *, actor: Any) -> StoredUpload:
        """The upload named ``token`` if ``actor`` uploaded it, else not found."""
        path = self._meta_path(token)
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
            content = path.with_suffix(".bin").read_bytes()
        except (OSError, ValueError) as exc:
            raise NotFoundError() from exc
        if meta.get("user") != getattr(actor, "pk", None):
            raise NotFoundError()
        mapping = meta.get("mapping")
        return StoredUpload(
            token=token,
            name=meta.get("name", "export.csv"),
            content=content,
            project_id=meta.get("project"),
            mapping={int(k): v for k, v in mapping.items()} if mapping is not None else None,
            options=dict(meta.get("options") or {}),
        )

    def set_mapping(self, token: str, *, actor: Any, mapping: dict[int, str]) -> None:
        """Remember the mapping the user chose for an upload."""
        self.get(token, actor=actor)
        path = self._meta_path(token)
        meta = json.loads(path.read_text(encoding="utf-8"))
        meta["mapping"] = {str(k): v for k, v in mapping.items()}
        path.write_text(json.dumps(meta), encoding="utf-8")

    def discard(self, token: str, *, actor: Any) -> None:
        self.get(token, actor=actor)
        path = self._meta_path(token)
        path.with_suffix(".bin").unlink(missing_ok=True)
        path.unlink(missing_ok=True)


# Saved mappings -------------------------------------------------------------------------------


def mapping_list(target: str) -> QuerySet[ColumnMapping]:
    """The mappings saved for an import target, by name."""
    return ColumnMapping.objects.filter(target=target).order_by("name")


def mapping_save(
    *, actor: Any, target: str, name: str, headers: Sequence[str], mapping: dict[int, str]
) -> ColumnMapping:
    """Save a mapping under a name (replacing one of that name); the caller checks the
    permission."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": gettext("Give the mapping a name.")}, code="mapping_name")
    saved, _created = ColumnMapping.objects.update_or_create(
        target=target,
        name=name[:100],
        defaults={
            "headers": list(headers),
            "columns": mapping_to_headers(mapping, headers),
            "created_by": acting_user(actor),
        },
    )
    return saved


def saved_mapping_for(
    target: str, headers: Sequence[str]
) -> tuple[ColumnMapping | None, dict[int, str]]:
    """A saved mapping whose headers are the file's (in any order), applied to them."""
    wanted = sorted(normalise_header(header) for header in headers if header)
    for saved in mapping_list(target):
        if sorted(normalise_header(h) for h in saved.headers if h) == wanted:
            return saved, mapping_from_headers(saved.columns, headers)
    return None, {}


def choose_mapping(
    target: ImportTarget,
    headers: Sequence[str],
    given: dict[Any, str] | None,
    *,
    guess_headers: Sequence[str] | None = None,
) -> tuple[dict[int, str], str, ColumnMapping | None]:
    """The columns to read, where they come from and the saved mapping used, if any.

    ``given`` (column index to field key, as the user chose it) wins; else a mapping saved for
    ``target`` whose headers are the file's; else a guess from ``guess_headers`` (by default
    the file's headers). The source is ``"given"``, ``"saved"`` or ``"guessed"``.
    """
    if given is not None:
        return {int(k): v for k, v in given.items() if v}, "given", None
    saved, columns = saved_mapping_for(target.key, headers)
    if saved is not None:
        return columns, "saved", saved
    guessed = guess_mapping(list(headers if guess_headers is None else guess_headers), target)
    return guessed, "guessed", None


def header_names(headers: Sequence[str], columns: dict[int, str]) -> dict[str, str]:
    """The header of the column each field is read from (its number when it has none)."""
    return {key: headers[index] or str(index + 1) for index, key in columns.items()}


# Row errors -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetRowError:
    """A row that cannot be imported: its number in the file, the column and the problem."""

    row: int
    column: str
    message: str


def row_error(number: int, column: str, message: str) -> SheetRowError:
    """An error naming the row and, when known, the column."""
    return SheetRowError(
        number,
        column,
        gettext("row %(row)d, column '%(column)s': %(message)s")
        % {"row": number, "column": column, "message": message}
        if column
        else gettext("row %(row)d: %(message)s") % {"row": number, "message": message},
    )


def cell_errors(problems: Sequence[RowError]) -> dict[int, list[SheetRowError]]:
    """The cells that could not be read, as row errors by row number."""
    found: dict[int, list[SheetRowError]] = {}
    for problem in problems:
        found.setdefault(problem.row, []).append(
            SheetRowError(problem.row, problem.column_header, problem.message)
        )
    return found


def refuse_row_errors(errors: Sequence[SheetRowError]) -> None:
    """Refuse a whole file with its first twenty errors when it has any."""
    if not errors:
        return
    shown = [error.message for error in errors[:20]]
    if len(errors) > 20:
        shown.append(gettext("… and %(count)d more") % {"count": len(errors) - 20})
    raise ValidationError(
        {
            "__all__": [
                gettext("Nothing was imported: correct the rows with errors, or skip them."),
                *shown,
            ]
        },
        code="row_errors",
    )


def refuse_unusable(
    *, mapping_problems: Sequence[str], errors: Sequence[SheetRowError], skip_errors: bool
) -> None:
    """Refuse a file whose mapping is wrong, or that has row errors unless ``skip_errors``."""
    if mapping_problems:
        raise ValidationError(
            gettext("The column mapping is wrong: %(problems)s")
            % {"problems": "; ".join(mapping_problems)},
            code="mapping",
        )
    if not skip_errors:
        refuse_row_errors(errors)


# Previews -------------------------------------------------------------------------------------


@dataclass(kw_only=True)
class SheetPreview:
    """What every import preview says of its file: its name and headers, the columns read and
    where that mapping comes from (given, saved or guessed), and what is wrong with it."""

    name: str
    headers: list[str]
    mapping: dict[int, str]
    mapping_source: str
    mapping_problems: list[str]
    saved_mapping: ColumnMapping | None = None


class _ImportRow(Protocol):
    errors: list[SheetRowError]

    @property
    def ok(self) -> bool: ...


RowT = TypeVar("RowT", bound=_ImportRow)


@dataclass(kw_only=True)
class RowsPreview(SheetPreview, Generic[RowT]):
    """A preview of one imported record per row, each with its errors."""

    rows: list[RowT] = field(default_factory=list)

    @property
    def errors(self) -> list[SheetRowError]:
        return [error for row in self.rows for error in row.errors]

    @property
    def valid_rows(self) -> list[RowT]:
        return [row for row in self.rows if row.ok]

    @property
    def error_rows(self) -> int:
        return sum(1 for row in self.rows if not row.ok)

    @property
    def can_apply(self) -> bool:
        return not self.mapping_problems and bool(self.valid_rows)


def mapped_rows(
    table: Table, columns: dict[int, str], target: ImportTarget, new_row: Callable[[int], RowT]
) -> tuple[ConversionResult, dict[str, str], dict[int, RowT]]:
    """Read the mapped cells of every row: the values, the header each field is read from,
    and a row by number (from ``new_row``) carrying the errors of its unreadable cells."""
    result = convert_rows(table, columns, target)
    rows = {record.number: new_row(record.number) for record in result.records}
    for number, errors in cell_errors(result.errors).items():
        rows[number].errors.extend(errors)
    return result, header_names(table.headers, columns), rows
