"""Decode the text files people export from other tools: byte-order marks, UTF-16, Windows-1252.

Files come from Excel ("CSV UTF-8", or the ANSI code page when saved as plain CSV), from Jira
and Asana (UTF-8 with or without a byte-order mark), from older Windows tools (UTF-16). The
rule: a byte-order mark decides; else strict UTF-8; else Windows-1252, which Excel writes in
Western Europe and which decodes every byte but five.

Examples
--------
>>> decode_text("Début;Durée".encode("cp1252"), name="tasks.csv")
('Début;Durée', 'cp1252')
>>> decode_text(b"\\xef\\xbb\\xbfKey,Summary", name="jira.csv")
('Key,Summary', 'utf-8-sig')
>>> sniff_delimiter("Nom;Durée;Début\\nA;2j;01/03/2026\\n")
';'
"""

from __future__ import annotations

import codecs
import csv
from typing import Final

from pilotage.interop.errors import PlanFileError

__all__ = [
    "CSV_FIELD_LIMIT",
    "MAX_TEXT_BYTES",
    "allow_long_csv_cells",
    "decode_text",
    "sniff_delimiter",
]

MAX_TEXT_BYTES: Final = 200 * 1024 * 1024
"""The largest text file read (200 MiB): a bigger one is refused rather than filling memory."""

CSV_FIELD_LIMIT: Final = 32 * 1024 * 1024
"""The longest CSV cell read (32 MiB): long descriptions and notes are legitimate."""

_BOMS: Final = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_DELIMITERS: Final = ",;\t|"


def decode_text(data: bytes, *, name: str) -> tuple[str, str]:
    """Decode a text file, returning the text and the encoding used.

    Parameters
    ----------
    data : bytes
        The file's content.
    name : str
        The file's name, for messages.

    Returns
    -------
    tuple of (str, str)
        The text without any byte-order mark, and the codec name.

    Raises
    ------
    PlanFileError
        If the file is larger than :data:`MAX_TEXT_BYTES`, or is not text in any of the
        encodings tried (a binary file such as an ``.xlsx`` renamed ``.csv``).

    Examples
    --------
    >>> decode_text("Nom".encode("utf-16"), name="t.csv")
    ('Nom', 'utf-16')
    >>> decode_text(b"PK\\x03\\x04\\x00\\x00", name="t.csv")
    Traceback (most recent call last):
    ...
    pilotage.interop.errors.PlanFileError: t.csv: not a text file (it holds binary data; an \
Excel workbook must be named .xlsx)
    """
    if len(data) > MAX_TEXT_BYTES:
        raise PlanFileError(
            name, f"the file is larger than {MAX_TEXT_BYTES // (1024 * 1024)} MiB, the limit"
        )
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec).lstrip("\ufeff"), codec
            except UnicodeDecodeError as error:
                raise PlanFileError(
                    name, f"the file starts as {codec} but byte {error.start} is not {codec}"
                ) from error
    if b"\x00" in data[:4096]:
        raise PlanFileError(
            name, "not a text file (it holds binary data; an Excel workbook must be named .xlsx)"
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as error:
        raise PlanFileError(
            name,
            f"byte {error.start} is neither UTF-8 nor Windows-1252 text: save the file as "
            "CSV UTF-8",
        ) from error


def sniff_delimiter(text: str) -> str:
    """The column separator of a CSV text: comma, semicolon (French Excel), tab or bar.

    Looks at the first lines; a comma when nothing else is likely.

    Examples
    --------
    >>> sniff_delimiter("a\\tb\\tc\\n1\\t2\\t3\\n")
    '\\t'
    >>> sniff_delimiter("only one column\\n")
    ','
    """
    sample = text[:65536]
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        first_line = sample.split("\n", 1)[0]
        counts = {delimiter: first_line.count(delimiter) for delimiter in _DELIMITERS}
        best = max(counts, key=lambda delimiter: counts[delimiter])
        return best if counts[best] else ","


def allow_long_csv_cells() -> None:
    """Let the ``csv`` module read cells up to :data:`CSV_FIELD_LIMIT` (its default is 128 KiB,
    less than a long Jira description). The limit is the process's; it is only ever raised."""
    if csv.field_size_limit() < CSV_FIELD_LIMIT:
        csv.field_size_limit(CSV_FIELD_LIMIT)
