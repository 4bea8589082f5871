"""Recognise an issue tracker's export from its content: Jira CSV or JSON, Trello, Asana.

People name their exports anything (``export.csv``, ``board (3).json``), so the content
decides:

- ``"jira-csv"``: a CSV whose header has a ``Summary`` column and an ``Issue key``, ``Issue id``
  or ``Issue Type`` column (Jira Cloud's "current fields" export may have no key);
- ``"jira-json"``: JSON holding ``{"issues": [...]}`` (or a list of issues, or one issue)
  whose issues have a ``key`` and ``fields``;
- ``"trello-json"``: JSON with ``cards`` and ``lists`` arrays;
- ``"asana-csv"``: a CSV whose header has ``Task ID`` and ``Name``, with ``Section/Column``,
  ``Parent task`` or ``Assignee Email``.

Anything else gives None, so that the caller can try other readers.

Examples
--------
>>> sniff_format(b"\\xef\\xbb\\xbfIssue Type,Summary,Status\\nBug,Crash,Done\\n", "export.csv")
'jira-csv'
>>> sniff_format(b'{"name": "Board", "lists": [], "cards": []}', "board.json")
'trello-json'
>>> sniff_format(b"Name,Duration\\nDesign,5d\\n", "plan.csv") is None
True
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Final

from pilotage.interop.errors import PlanFileError
from pilotage.interop.text import decode_text, sniff_delimiter
from pilotage.interop.tracker import fold

__all__ = ["SNIFFED_FORMATS", "sniff_format"]

SNIFFED_FORMATS: Final = ("jira-csv", "jira-json", "trello-json", "asana-csv")
"""The formats :func:`sniff_format` recognises."""

_HEAD_CHARACTERS: Final = 64 * 1024
"""How much of a CSV file is looked at to find its header row."""


def sniff_format(data: bytes, name: str) -> str | None:
    """The issue-tracker format of a file's content, or None when it is none of them.

    Parameters
    ----------
    data : bytes
        The file's content.
    name : str
        The file's name (only used to decode it; the content decides).

    Returns
    -------
    str or None
        One of :data:`SNIFFED_FORMATS`, or None.

    Examples
    --------
    >>> sniff_format(b'{"issues": [{"key": "A-1", "fields": {}}]}', "search.json")
    'jira-json'
    >>> sniff_format(b"Task ID;Name;Section/Column\\n1;Brief;Plan\\n", "tasks.csv")
    'asana-csv'
    >>> sniff_format(b"PK\\x03\\x04\\x00\\x00", "tasks.csv") is None
    True
    """
    try:
        text, _codec = decode_text(data, name=name)
    except PlanFileError:
        return None
    stripped = text.lstrip()
    if stripped[:1] in ("{", "["):
        return _json_format(stripped)
    for headers in _header_rows(text[:_HEAD_CHARACTERS]):
        if _is_jira_header(headers):
            return "jira-csv"
        if _is_asana_header(headers):
            return "asana-csv"
    return None


def _header_rows(text: str) -> Iterator[list[str]]:
    """The first non-blank record of the text, split by each usual delimiter in turn."""
    sniffed = sniff_delimiter(text[:16384])
    for delimiter in [sniffed, *(other for other in ",;\t|" if other != sniffed)]:
        try:
            for cells in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
                if any(cell.strip() for cell in cells):
                    yield cells
                    break
        except csv.Error:
            continue


def _json_format(text: str) -> str | None:
    try:
        payload: Any = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if isinstance(payload, dict):
        if isinstance(payload.get("cards"), list) and isinstance(payload.get("lists"), list):
            return "trello-json"
        issues = payload.get("issues")
        if isinstance(issues, list):
            return "jira-json" if _are_issues(issues) else None
        return "jira-json" if _are_issues([payload]) else None
    if isinstance(payload, list) and payload:
        return "jira-json" if _are_issues(payload) else None
    return None


def _are_issues(values: list[Any]) -> bool:
    issues = [value for value in values if isinstance(value, dict)]
    return (not values or bool(issues)) and all(
        "key" in issue and isinstance(issue.get("fields"), dict) for issue in issues
    )


def _has(headers: Sequence[str]) -> Callable[[str], bool]:
    folded = {fold(header) for header in headers}
    return folded.__contains__


def _is_jira_header(headers: Sequence[str]) -> bool:
    has = _has(headers)
    return (has("summary") or has("resume")) and any(
        has(header)
        for header in (
            "issue key",
            "issue id",
            "issue type",
            "cle de ticket",
            "type de ticket",
        )
    )


def _is_asana_header(headers: Sequence[str]) -> bool:
    has = _has(headers)
    return (
        has("task id")
        and has("name")
        and any(
            has(header)
            for header in ("section/column", "parent task", "assignee email", "completed at")
        )
    )
