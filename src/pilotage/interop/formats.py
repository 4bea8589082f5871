"""Recognise what kind of project file a user gave, and read it with the right importer.

The file's name suggests the format and its first bytes confirm it: an ``.xml`` may be
Microsoft Project XML, Primavera P6 XML or GanttProject; a ``.json`` may be a Jira search
result, a Trello board or a Pilotage plan; a ``.csv`` may be a Jira or Asana export or a plain
table of tasks.

Examples
--------
>>> detect_format(b'<?xml version="1.0"?><Project xmlns="http://schemas.microsoft.com/project">',
...               "plan.xml")
'mspdi'
>>> detect_format(b'{"issues": [{"key": "PRJ-1", "fields": {}}]}', "search.json")
'jira-json'
>>> detect_format(b"Name;Duration\\nA;2d\\n", "tasks.csv")
'csv'
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Final

from pilotage.interop.document import ProjectDocument
from pilotage.interop.errors import PlanFileError

__all__ = [
    "FORMAT_LABELS",
    "PROJECT_FORMATS",
    "TABLE_FORMATS",
    "detect_format",
    "read_project_file",
]

FORMAT_LABELS: Final[dict[str, str]] = {
    "mspdi": "Microsoft Project XML",
    "mpp": "Microsoft Project (.mpp)",
    "mpx": "Microsoft Project exchange (.mpx)",
    "xer": "Primavera P6 XER",
    "pmxml": "Primavera P6 XML",
    "pod": "ProjectLibre (.pod)",
    "gan": "GanttProject",
    "jira-csv": "Jira CSV export",
    "jira-json": "Jira search results (JSON)",
    "trello-json": "Trello board (JSON)",
    "asana-csv": "Asana CSV export",
    "json": "Pilotage plan (JSON)",
    "toml": "Pilotage plan (TOML)",
    "xlsx": "Excel workbook",
    "csv": "CSV table",
}
"""Every format that can be imported, with its name for people."""

TABLE_FORMATS: Final = frozenset({"xlsx", "csv"})
"""Formats read as a table whose columns the user maps to fields."""
PROJECT_FORMATS: Final = frozenset(FORMAT_LABELS) - TABLE_FORMATS
"""Formats that hold a whole project."""

_MPXJ_FORMATS: Final = {".mpp": "mpp", ".mpt": "mpp", ".mpx": "mpx", ".xer": "xer", ".pod": "pod"}
_OLE2_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC: Final = b"PK\x03\x04"
_MSPDI_NAMESPACE: Final = b"schemas.microsoft.com/project"


def _head(data: bytes) -> bytes:
    """The first kilobytes as ASCII-compatible bytes (UTF-16 files are narrowed)."""
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data[:8192].decode("utf-16", errors="ignore").encode("utf-8", errors="ignore")
        except UnicodeError:
            return head
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")


def detect_format(data: bytes, name: str) -> str:
    """The format of a file from its name and first bytes (a key of :data:`FORMAT_LABELS`).

    Raises
    ------
    PlanFileError
        If the file is empty or is none of the formats Pilotage imports; the message lists
        them.
    """
    if not data:
        raise PlanFileError(name, "the file is empty")
    suffix = Path(name).suffix.lower()
    head = _head(data)
    if head.startswith(_OLE2_MAGIC):
        return _MPXJ_FORMATS.get(suffix, "mpp")
    if suffix in _MPXJ_FORMATS:
        return _MPXJ_FORMATS[suffix]
    if head.startswith(b"ERMHDR"):
        return "xer"
    if head.startswith(_ZIP_MAGIC):
        if suffix in (".xlsx", ".xlsm"):
            return "xlsx"
        if suffix == ".pod":
            return "pod"
        return "xlsx"
    if suffix == ".gan":
        return "gan"
    if suffix == ".toml":
        return "toml"
    if head.startswith(b"<"):
        if _MSPDI_NAMESPACE in head or b"<Project>" in head or b"<Project " in head:
            return "mspdi"
        if b"APIBusinessObjects" in head:
            return "pmxml"
        if b"<project" in head:
            return "gan"
        raise PlanFileError(
            name,
            "an XML file that is neither Microsoft Project XML, Primavera P6 XML nor GanttProject",
        )
    if head.startswith((b"{", b"[")):
        from pilotage.interop.sniff import sniff_format

        return sniff_format(data, name) or "json"
    if suffix in (".csv", ".txt", ".tsv", "") or b"," in head or b";" in head:
        from pilotage.interop.sniff import sniff_format

        return sniff_format(data, name) or "csv"
    raise PlanFileError(name, _unknown_message())


def _unknown_message() -> str:
    return "not a file Pilotage can import; it reads " + ", ".join(FORMAT_LABELS.values())


def read_project_file(
    data: bytes, name: str, *, format: str | None = None, minutes_per_day: int = 480
) -> ProjectDocument:
    """Read a whole-project file (any format of :data:`PROJECT_FORMATS`).

    Parameters
    ----------
    data : bytes
        The file's content.
    name : str
        The file's name: it suggests the format and names the file in messages.
    format : str, optional
        The format, when the caller knows it; detected otherwise.
    minutes_per_day : int, optional
        Working minutes in a day, for the formats that count effort in days or points.

    Raises
    ------
    PlanFileError
        If the file cannot be read: the message names the file, the line, row or element, and
        the problem. Tables (``xlsx``, ``csv``) are refused here: they need a column mapping.
    """
    kind = format or detect_format(data, name)
    label = os.path.basename(name) or name
    if kind in TABLE_FORMATS:
        raise PlanFileError(label, "a table of rows: choose which column holds which field")
    if kind == "mspdi":
        from pilotage.interop.mspdi import read_mspdi_document

        return read_mspdi_document(data, name=label)
    if kind == "gan":
        from pilotage.interop.gan import read_gan

        return read_gan(data, name=label)
    if kind in ("mpp", "mpx", "xer", "pmxml", "pod"):
        from pilotage.interop.mpxj import read_with_mpxj

        return read_with_mpxj(data, name=label, format_hint=kind)
    if kind == "jira-csv":
        from pilotage.interop.jira import read_jira_csv

        return read_jira_csv(data, name=label, minutes_per_day=minutes_per_day)
    if kind == "jira-json":
        from pilotage.interop.jira import read_jira_json

        return read_jira_json(data, name=label, minutes_per_day=minutes_per_day)
    if kind == "trello-json":
        from pilotage.interop.trello import read_trello_json

        return read_trello_json(data, name=label)
    if kind == "asana-csv":
        from pilotage.interop.asana import read_asana_csv

        return read_asana_csv(data, name=label)
    if kind in ("json", "toml"):
        from pilotage.interop.planfile import parse_plan

        result = parse_plan(data, format="json" if kind == "json" else "toml", name=label)
        return ProjectDocument(
            format=kind,
            plan=result.plan,
            resources=result.resources,
            assignments=result.assignments,
            warnings=tuple(result.warnings),
        )
    raise PlanFileError(label, _unknown_message())


def with_warnings(document: ProjectDocument, *warnings: str) -> ProjectDocument:
    """The document with more warnings."""
    return replace(document, warnings=(*document.warnings, *warnings))
