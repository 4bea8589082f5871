"""Read the files of other planning tools through MPXJ: .mpp, .xer, P6 XML, .pod and more.

`MPXJ <https://www.mpxj.org>`_ is a Java library that reads the files of Microsoft Project
(``.mpp``, ``.mpt``, ``.mpx``), Primavera P6 (``.xer``, P6 XML), ProjectLibre (``.pod``),
GanttProject, GNOME Planner, Asta Powerproject, Phoenix, FastTrack, Synchro, TurboProject and
others. :func:`read_with_mpxj` lets MPXJ read the file, has MPXJ write it as Microsoft Project
XML in memory, and reads that XML with :func:`pilotage.interop.mspdi.read_mspdi_document`, so
that every format arrives as the same :class:`~pilotage.interop.document.ProjectDocument`.

MPXJ is optional: it comes with the ``mpp`` extra (``pip install "pilotage[mpp]"``, which
installs the ``mpxj`` package and JPype) and needs a Java runtime, 11 or later. Without them,
:func:`read_with_mpxj` raises :class:`MpxjUnavailableError` saying what to install, and
:func:`mpxj_available` is False. Importing this module needs neither.

The Java virtual machine is started once per process, on the first file read (it takes about
a second), and stays up until the process ends; reading is safe from several threads. A
process that forks after the JVM started must not read through MPXJ in the child: start worker
processes first (as gunicorn does), and read in the workers.

Examples
--------
>>> ".mpp" in MPXJ_SUFFIXES, ".xer" in MPXJ_SUFFIXES, ".xml" in MPXJ_SUFFIXES
(True, True, False)
>>> is_primavera_xml(b'<?xml version="1.0"?><APIBusinessObjects xmlns="http://xmlns.oracle.com">')
True
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import re
import threading
from pathlib import Path
from typing import Any, Final, Literal, TypeAlias

from pilotage.interop.document import ProjectDocument
from pilotage.interop.errors import PlanFileError
from pilotage.interop.mspdi import read_mspdi_document

__all__ = [
    "MPXJ_SUFFIXES",
    "MpxjUnavailableError",
    "is_primavera_xml",
    "mpxj_available",
    "read_with_mpxj",
]

Source: TypeAlias = "bytes | str | os.PathLike[str]"

MPXJ_SUFFIXES: Final[frozenset[str]] = frozenset(
    {
        ".mpp",  # Microsoft Project
        ".mpt",  # Microsoft Project template
        ".mpx",  # Microsoft Project exchange (MPX)
        ".mpd",  # Microsoft Project database
        ".xer",  # Primavera P6 export
        ".pmxml",  # Primavera P6 XML, when named so (usually .xml: see is_primavera_xml)
        ".pod",  # ProjectLibre
        ".planner",  # GNOME Planner
        ".pp",  # Asta Powerproject
        ".ppx",  # Phoenix Project Manager
        ".fts",  # FastTrack Schedule
        ".pep",  # TurboProject
        ".cdpx",  # ConceptDraw PROJECT
        ".cdpz",
        ".gnt",  # GanttDesigner
        ".pc",  # Project Commander
        ".sp",  # Synchro
        ".stx",  # SureTrak
        ".prx",  # Primavera P3
        ".sdef",  # Standard Data Exchange Format
        ".edpx",  # Edraw Project
        ".bk3",  # Deltek Open Plan
    }
)
"""The file suffixes read through MPXJ. Microsoft Project XML (``.xml``) and GanttProject
(``.gan``) have readers of their own; a P6 XML file named ``.xml`` is recognised by its
content with :func:`is_primavera_xml`."""

_FORMATS: Final[dict[str, str]] = {
    "MPP": "mpp",
    "MPX": "mpx",
    "MPD": "mpd",
    "MSPDI": "mspdi",
    "XER": "xer",
    "PMXML": "pmxml",
    "POD": "pod",
    "GAN": "gan",
    "PP": "pp",
    "PPX": "ppx",
    "FTS": "fts",
    "PEP": "pep",
    "CDP": "cdp",
    "GNT": "gnt",
    "PC": "pc",
    "SP": "sp",
    "STW": "stx",
    "BTRIEVE": "p3",
    "SDEF": "sdef",
    "EDPX": "edpx",
    "BK3": "bk3",
    "SQLITE": "merlin",
}
"""MPXJ's ``FileType`` as the document's format (Planner says ``XML``: see _format)."""

_HINT_ALIASES: Final[dict[str, str]] = {
    "mpt": "mpp",
    "cdpx": "cdp",
    "cdpz": "cdp",
    "prx": "p3",
    "stw": "stx",
}
"""Suffixes whose files MPXJ reports under another format name (a template is an .mpp)."""

_INSTALL: Final = 'pip install "pilotage[mpp]"'
_JAVA: Final = "a Java runtime 11 or later (on Debian: apt install default-jre-headless)"
_JVM_OPTIONS: Final = (
    "-Djava.awt.headless=true",
    # MPXJ logs through the Log4j API without a logging back end: keep it from complaining.
    "-Dlog4j2.loggerContextFactory=org.apache.logging.log4j.simple.SimpleLoggerContextFactory",
)
_MINIMUM_JAVA: Final = 11
_PRIMAVERA_ROOT: Final = re.compile(rb"<(?:\w+:)?APIBusinessObjects[\s>/]")

_start_lock = threading.Lock()


class MpxjUnavailableError(PlanFileError):
    """A file needs MPXJ, and MPXJ or Java is not installed.

    Parameters
    ----------
    file : str
        The file's name as the user knows it.
    missing : {"extra", "java"}
        ``"extra"`` when the Python packages of ``pilotage[mpp]`` are not installed,
        ``"java"`` when they are but no usable Java runtime was found.
    detail : str, optional
        What went wrong, appended to the message.

    Examples
    --------
    >>> print(MpxjUnavailableError("plan.mpp", missing="extra"))  # doctest: +NORMALIZE_WHITESPACE
    plan.mpp: reading this file needs MPXJ, which is not installed: run
    pip install "pilotage[mpp]" and install a Java runtime 11 or later (on Debian:
    apt install default-jre-headless)
    """

    def __init__(self, file: str, *, missing: Literal["extra", "java"], detail: str = "") -> None:
        self.missing = missing
        if missing == "extra":
            problem = (
                f"reading this file needs MPXJ, which is not installed: run {_INSTALL} and "
                f"install {_JAVA}"
            )
        else:
            problem = (
                "reading this file needs a Java runtime for MPXJ, and none could be used: "
                f"install {_JAVA}, or point JAVA_HOME at one"
            )
        super().__init__(file, f"{problem} ({detail})" if detail else problem)


def mpxj_available() -> bool:
    """Whether files can be read through MPXJ here: the extra is installed and Java is found.

    This does not start the Java virtual machine, so it is cheap; a Java runtime that is found
    but too old only shows when a file is read.

    Examples
    --------
    >>> isinstance(mpxj_available(), bool)
    True
    """
    if importlib.util.find_spec("jpype") is None or importlib.util.find_spec("mpxj") is None:
        return False
    try:
        import jpype

        if jpype.isJVMStarted():
            return True
        jpype.getDefaultJVMPath()
    except Exception:  # any failure to find Java means "not available"
        return False
    return True


def is_primavera_xml(head: bytes) -> bool:
    """Whether the start of an XML file is Primavera P6 XML (``<APIBusinessObjects>``).

    Parameters
    ----------
    head : bytes
        The first kilobytes of the file.

    Examples
    --------
    >>> is_primavera_xml(b'<Project xmlns="http://schemas.microsoft.com/project">')
    False
    """
    return _PRIMAVERA_ROOT.search(head[:4096]) is not None


def _start_jvm(label: str) -> Any:
    """Start the JVM with MPXJ's class path once per process, and return the ``jpype`` module."""
    with _start_lock:
        try:
            import jpype
            import mpxj  # noqa: F401 - puts MPXJ's jars on the class path
        except ImportError as error:
            raise MpxjUnavailableError(label, missing="extra") from error
        if not jpype.isJVMStarted():
            try:
                jvm_path = jpype.getDefaultJVMPath()
            except Exception as error:  # JVMNotFoundException, JVMNotSupportedException
                raise MpxjUnavailableError(
                    label, missing="java", detail=f"no Java runtime found: {error}"
                ) from error
            try:
                jpype.startJVM(jvm_path, *_JVM_OPTIONS, convertStrings=False)
            except Exception as error:
                raise MpxjUnavailableError(
                    label, missing="java", detail=f"Java did not start: {error}"
                ) from error
        version = tuple(jpype.getJVMVersion())
        if version and version[0] < _MINIMUM_JAVA:
            shown = ".".join(str(part) for part in version)
            raise MpxjUnavailableError(
                label, missing="java", detail=f"the Java runtime found is version {shown}"
            )
        try:
            jpype.JClass("org.mpxj.reader.UniversalProjectReader")
        except Exception as error:
            raise MpxjUnavailableError(
                label,
                missing="extra",
                detail="Java was started without MPXJ's classes; read MPXJ files before "
                "starting Java for anything else",
            ) from error
        return jpype


def read_with_mpxj(
    source: Source, *, name: str | None = None, format_hint: str | None = None
) -> ProjectDocument:
    """Read a file of any format MPXJ reads (.mpp, .mpx, .xer, P6 XML, .pod, .gan, .planner ...).

    Parameters
    ----------
    source : bytes, str or path-like
        The file's content, or a path to the file.
    name : str, optional
        How to name the file in messages; by default its path, or ``"the file"`` for content.
    format_hint : str, optional
        The format the caller expects (from the file's suffix: ``"mpp"``, ``"xer"`` ...).
        MPXJ recognises formats by their content; when it finds another format than the hint,
        the document has the format MPXJ found and a warning says so.

    Returns
    -------
    ProjectDocument
        The project, with ``format`` set to the format MPXJ found (``"mpp"``, ``"mpx"``,
        ``"xer"``, ``"pmxml"``, ``"pod"``, ``"gan"``, ``"planner"``, ``"mspdi"`` ...). From a
        file that holds several projects (a P6 export), the first is read and a warning names
        the others.

    Raises
    ------
    MpxjUnavailableError
        If the ``pilotage[mpp]`` extra or a Java runtime is missing (the message says which and
        what to install).
    PlanFileError
        If the file cannot be read: not a format MPXJ knows, corrupt or truncated, protected by
        a password, or empty. The message names the file.

    Examples
    --------
    >>> document = read_with_mpxj("site.xer")  # doctest: +SKIP
    >>> document.format, document.counts()  # doctest: +SKIP
    ('xer', {'tasks': 5, 'links': 2, 'resources': 2, 'assignments': 3, 'calendars': 3})
    """
    target: bytes | str
    if isinstance(source, bytes):
        label = name or "the file"
        if not source:
            raise PlanFileError(label, "the file is empty")
        target = source
    else:
        path = os.fspath(source)
        label = name or path
        if not Path(path).is_file():
            raise PlanFileError(label, "cannot be read: there is no such file")
        if Path(path).stat().st_size == 0:
            raise PlanFileError(label, "the file is empty")
        target = path
    jpype = _start_jvm(label)
    projects = _read_projects(jpype, target, label)
    project = projects[0]
    found = _format(project)
    warnings: list[str] = []
    if len(projects) > 1:
        others = ", ".join(_project_label(other) for other in projects[1:])
        warnings.append(
            f"The file holds {len(projects)} projects; only the first, "
            f"{_project_label(project)}, was read. Not read: {others}."
        )
    if found == "xer" and not _ends_like_xer(target):
        warnings.append(
            "The file does not end with the %E line that closes a Primavera export: it may be "
            "truncated, and what follows the cut is missing."
        )
    hint = (format_hint or "").lower().lstrip(".")
    hint = _HINT_ALIASES.get(hint, hint)
    if hint and hint != "xml" and hint != found:
        warnings.append(f"The file was expected to be {hint} but MPXJ read it as {found}.")
    xml = _as_mspdi(jpype, project, label)
    document = _read_mspdi(xml, label)
    return dataclasses.replace(document, format=found, warnings=(*warnings, *document.warnings))


def _read_projects(jpype: Any, source: bytes | str, label: str) -> list[Any]:
    reader_class = jpype.JClass("org.mpxj.reader.UniversalProjectReader")
    try:
        if isinstance(source, bytes):
            stream = jpype.JClass("java.io.ByteArrayInputStream")(source)
            projects = reader_class().readAll(stream)
        else:
            projects = reader_class().readAll(jpype.JString(source))
    except jpype.JException as error:
        raise PlanFileError(label, _java_problem(error)) from error
    if projects is None or projects.isEmpty():
        raise PlanFileError(
            label,
            "MPXJ does not recognise it as a project file, or the file is corrupt or truncated "
            "(MPXJ reads Microsoft Project, Primavera P6, ProjectLibre, GanttProject, Planner, "
            "Asta, Phoenix and other planning files)",
        )
    return list(projects)


def _ends_like_xer(source: bytes | str) -> bool:
    """Whether a Primavera export ends with its ``%E`` line (else it was probably cut short)."""
    if isinstance(source, bytes):
        tail = source[-64:]
    else:
        with Path(source).open("rb") as stream:
            stream.seek(max(stream.seek(0, os.SEEK_END) - 64, 0))
            tail = stream.read()
    return tail.rstrip(b"\r\n\t \x00\x1a").endswith(b"%E")


def _java_problem(error: Any) -> str:
    """A plain sentence for an exception MPXJ raised."""
    messages: list[str] = []
    cause = error
    while cause is not None and len(messages) < 5:
        message = str(cause.getMessage() or "").strip()
        if message and message not in messages:
            messages.append(message)
        cause = cause.getCause()
    text = "; ".join(messages) or str(error.getClass().getSimpleName())
    if "password" in text.lower():
        return (
            "the file is protected by a password: open it in Microsoft Project, remove the "
            "password (File > Info > Protect), save it and import it again"
        )
    return (
        f"MPXJ could not read it (the file may be corrupt, truncated or of another version): {text}"
    )


def _format(project: Any) -> str:
    properties = project.getProjectProperties()
    file_type = str(properties.getFileType() or "").upper()
    if file_type == "XML":
        application = str(properties.getFileApplication() or "").lower()
        return application or "xml"
    return _FORMATS.get(file_type, file_type.lower() or "unknown")


def _project_label(project: Any) -> str:
    properties = project.getProjectProperties()
    name = str(properties.getName() or properties.getProjectTitle() or "").strip()
    code = str(properties.getProjectID() or "").strip()
    if name and code and code != name:
        return f"{name!r} ({code})"
    return repr(name or code or "unnamed")


def _as_mspdi(jpype: Any, project: Any, label: str) -> bytes:
    writer = jpype.JClass("org.mpxj.mspdi.MSPDIWriter")()
    output = jpype.JClass("java.io.ByteArrayOutputStream")()
    try:
        writer.write(project, output)
    except jpype.JException as error:
        raise PlanFileError(
            label, f"MPXJ read the file but could not convert it: {_java_problem(error)}"
        ) from error
    return bytes(output.toByteArray())


def _read_mspdi(xml: bytes, label: str) -> ProjectDocument:
    """Read MPXJ's Microsoft Project XML; its line numbers mean nothing to the user."""
    try:
        return read_mspdi_document(xml, name=label)
    except PlanFileError as error:
        raise PlanFileError(
            label, f"{error.problem} (in the Microsoft Project XML that MPXJ made of it)"
        ) from error
