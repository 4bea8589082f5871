"""Reading files through MPXJ: what is needed to run it, Primavera exports, agreement on .gan."""

from __future__ import annotations

import subprocess
import sys
import types
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from pilotage.engine.plan import PlanLink
from pilotage.interop import mpxj as mpxj_reader
from pilotage.interop.document import ProjectDocument
from pilotage.interop.errors import PlanFileError
from pilotage.interop.gan import read_gan
from pilotage.interop.mpxj import (
    MPXJ_SUFFIXES,
    MpxjUnavailableError,
    is_primavera_xml,
    mpxj_available,
    read_with_mpxj,
)
from tests.interop.mpxj_support import require_modules, unavailable

FIXTURES = Path(__file__).parent / "fixtures"
XER = FIXTURES / "bridge-two-projects.xer"
GARDEN = FIXTURES / "garden-office.gan"


# -- without Java -------------------------------------------------------------------------


def test_the_suffixes_routed_to_mpxj() -> None:
    assert {".mpp", ".mpt", ".mpx", ".xer", ".pod", ".planner"} <= MPXJ_SUFFIXES
    # Microsoft Project XML and GanttProject have readers of their own.
    assert not {".xml", ".gan", ".csv"} & MPXJ_SUFFIXES
    assert all(suffix.startswith(".") and suffix == suffix.lower() for suffix in MPXJ_SUFFIXES)


def test_primavera_xml_is_told_from_microsoft_project_xml() -> None:
    assert is_primavera_xml(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<APIBusinessObjects xmlns="http://x">'
    )
    assert is_primavera_xml(b"<p6:APIBusinessObjects>")
    assert not is_primavera_xml(b'<Project xmlns="http://schemas.microsoft.com/project">')
    assert not is_primavera_xml(b'<project name="APIBusinessObjects">')


@pytest.fixture
def without_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """Python as it is when ``pilotage[mpp]`` is not installed."""
    real_import = __import__

    def refuse(name: str, *args: Any, **kwargs: Any) -> types.ModuleType:
        if name.split(".")[0] in ("jpype", "mpxj"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr("builtins.__import__", refuse)
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)


@pytest.fixture
def without_java(monkeypatch: pytest.MonkeyPatch) -> None:
    """The extra installed, but no Java runtime on the machine."""

    class JvmNotFoundError(ValueError):
        pass

    def no_java() -> str:
        raise JvmNotFoundError("No JVM shared library file (libjvm.so) found.")

    fake_jpype = types.ModuleType("jpype")
    fake_jpype.__dict__.update(
        isJVMStarted=lambda: False, getDefaultJVMPath=no_java, addClassPath=lambda path: None
    )
    monkeypatch.setitem(sys.modules, "jpype", fake_jpype)
    monkeypatch.setitem(sys.modules, "mpxj", types.ModuleType("mpxj"))
    monkeypatch.setattr("importlib.util.find_spec", lambda name: object())


def test_without_the_extra_the_message_says_what_to_install(without_the_extra: None) -> None:
    assert mpxj_available() is False
    with pytest.raises(MpxjUnavailableError) as caught:
        read_with_mpxj(XER, name="bridge.xer")
    error = caught.value
    assert isinstance(error, PlanFileError)
    assert error.missing == "extra"
    assert error.file == "bridge.xer"
    message = str(error)
    assert message.startswith("bridge.xer: ")
    assert 'pip install "pilotage[mpp]"' in message
    assert "Java runtime 11 or later" in message
    assert "apt install default-jre-headless" in message


def test_without_java_the_message_says_to_install_java(without_java: None) -> None:
    assert mpxj_available() is False
    with pytest.raises(MpxjUnavailableError) as caught:
        read_with_mpxj(XER.read_bytes(), name="bridge.xer")
    error = caught.value
    assert error.missing == "java"
    message = str(error)
    assert message.startswith("bridge.xer: ")
    assert "Java runtime 11 or later" in message
    assert "apt install default-jre-headless" in message
    assert "libjvm.so" in message
    assert "pip install" not in message


def test_files_that_are_not_there_or_empty_fail_before_java(
    without_the_extra: None, tmp_path: Path
) -> None:
    with pytest.raises(PlanFileError, match="no such file") as caught:
        read_with_mpxj(tmp_path / "missing.mpp")
    assert not isinstance(caught.value, MpxjUnavailableError)
    with pytest.raises(PlanFileError, match="the file is empty"):
        read_with_mpxj(b"", name="empty.mpp")


def test_a_password_is_explained() -> None:
    class JavaError:
        def __init__(self, message: str, cause: JavaError | None = None) -> None:
            self.message, self.cause = message, cause

        def getMessage(self) -> str:
            return self.message

        def getCause(self) -> JavaError | None:
            return self.cause

    problem = mpxj_reader._java_problem(
        JavaError("Error reading file", JavaError("File is password protected"))
    )
    assert "protected by a password" in problem
    assert "remove the password" in problem
    corrupt = mpxj_reader._java_problem(JavaError("Unexpected end of stream"))
    assert "Unexpected end of stream" in corrupt


def test_importing_the_module_needs_neither_jpype_nor_mpxj() -> None:
    script = (
        "import sys\n"
        "sys.modules['jpype'] = sys.modules['mpxj'] = None\n"
        "from pilotage.interop.mpxj import mpxj_available, read_with_mpxj\n"
        "print(mpxj_available())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


# -- with MPXJ and Java -------------------------------------------------------------------


@pytest.fixture(scope="module")
def bridge() -> ProjectDocument:
    require_modules()
    try:
        return read_with_mpxj(XER)
    except MpxjUnavailableError as error:
        unavailable(f"MPXJ cannot run here: {error}")


def test_a_primavera_export(bridge: ProjectDocument) -> None:
    assert bridge.format == "xer"
    assert bridge.plan.name == "Footbridge"
    tasks = {task.name: task for task in bridge.plan.tasks}
    # The work breakdown structure becomes summary tasks above the activities.
    assert list(tasks) == [
        "Footbridge",
        "Deck works",
        "Survey the banks",
        "Pour the piers",
        "Deck open",
    ]
    assert [name for name, task in tasks.items() if task.summary] == ["Footbridge", "Deck works"]
    assert tasks["Pour the piers"].parent_uid == tasks["Deck works"].uid
    assert tasks["Deck open"].milestone
    survey = tasks["Survey the banks"]
    assert survey.duration_minutes == 16 * 60
    assert (survey.start, survey.finish) == (datetime(2026, 6, 1, 8), datetime(2026, 6, 2, 17))
    names = {task.uid: name for name, task in tasks.items()}
    links = [
        (names[link.predecessor_uid], names[link.successor_uid], link.type, link.lag_minutes)
        for link in bridge.plan.links
    ]
    assert links == [
        ("Survey the banks", "Pour the piers", "FS", 0),
        ("Pour the piers", "Deck open", "FF", 8 * 60),
    ]
    assert bridge.plan.start == datetime(2026, 6, 1, 8)
    assert bridge.plan.finish == datetime(2026, 6, 5, 17)


def test_primavera_resources_and_assignments(bridge: ProjectDocument) -> None:
    assert bridge.counts()["resources"] == 2
    people = {resource.uid: resource.name for resource in bridge.resources}
    names = {task.uid: task.name for task in bridge.plan.tasks}
    assert sorted(
        (names[item.task_uid], people[item.resource_uid], item.work_minutes)
        for item in bridge.assignments
    ) == [
        ("Pour the piers", "Kofi Reed", 24 * 60),
        ("Pour the piers", "Nia Stone", 24 * 60),
        ("Survey the banks", "Nia Stone", 16 * 60),
    ]


def test_a_primavera_calendar(bridge: ProjectDocument) -> None:
    assert bridge.plan.calendar_uid is not None
    site_week = bridge.plan.calendars_by_uid[bridge.plan.calendar_uid]
    assert site_week.calendar.name == "Site week"
    # Each resource gets a calendar of its own, based on the project's.
    assert {item.base_uid for item in bridge.plan.calendars if item is not site_week} == {
        site_week.uid
    }
    assert [exception.start.isoformat() for exception in site_week.calendar.exceptions] == [
        "2026-06-15"
    ]
    assert site_week.calendar.effective_week.minutes == 40 * 60


def test_only_the_first_project_is_read_and_the_others_are_named(bridge: ProjectDocument) -> None:
    assert "Service tunnel" not in {task.name for task in bridge.plan.tasks}
    (warning,) = [text for text in bridge.warnings if "projects" in text]
    assert "2 projects" in warning
    assert "'Footbridge' (BRIDGE-1)" in warning
    assert "TUNNEL-2" in warning


def test_content_and_path_read_the_same(bridge: ProjectDocument) -> None:
    from_bytes = read_with_mpxj(XER.read_bytes(), name="bridge.xer", format_hint="xer")
    assert from_bytes.counts() == bridge.counts()
    assert from_bytes.plan.tasks == bridge.plan.tasks
    assert not any("expected" in text for text in from_bytes.warnings)


def test_a_wrong_hint_is_said(bridge: ProjectDocument) -> None:
    document = read_with_mpxj(XER.read_bytes(), name="bridge.mpp", format_hint=".mpp")
    assert document.format == "xer"
    assert "expected to be mpp but MPXJ read it as xer" in " ".join(document.warnings)
    # An .xml file may hold several formats: naming it so expects none in particular.
    unsure = read_with_mpxj(XER.read_bytes(), name="bridge.xml", format_hint="xml")
    assert not any("expected" in text for text in unsure.warnings)


def test_a_truncated_export_is_said(bridge: ProjectDocument) -> None:
    data = XER.read_bytes()
    cut = data[: data.index(b"%T\tTASKPRED")]
    document = read_with_mpxj(cut, name="cut.xer")
    assert document.counts()["links"] == 0
    assert any("truncated" in text for text in document.warnings)
    assert not any("truncated" in text for text in bridge.warnings)


@pytest.mark.parametrize(
    "data",
    [
        b"this is a shopping list, not a plan\n" * 20,
        bytes(range(256)) * 16,
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,  # an Office file cut short
    ],
)
def test_what_mpxj_cannot_read(bridge: ProjectDocument, data: bytes) -> None:
    with pytest.raises(PlanFileError, match="does not recognise it") as caught:
        read_with_mpxj(data, name="broken.mpp")
    assert not isinstance(caught.value, MpxjUnavailableError)
    assert caught.value.file == "broken.mpp"


def test_several_threads_read_at_once(bridge: ProjectDocument) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        documents = list(pool.map(lambda _: read_with_mpxj(XER), range(8)))
    assert all(document.plan.tasks == bridge.plan.tasks for document in documents)


def test_ganttproject_through_mpxj_agrees_with_read_gan(bridge: ProjectDocument) -> None:
    ours = read_gan(GARDEN)
    theirs = read_with_mpxj(GARDEN)
    assert theirs.format == "gan"
    assert [task.name for task in theirs.plan.tasks] == [task.name for task in ours.plan.tasks]
    assert [task.uid for task in theirs.plan.tasks] == [task.uid for task in ours.plan.tasks]
    assert theirs.counts()["tasks"] == ours.counts()["tasks"]
    for mine, other in zip(ours.plan.tasks, theirs.plan.tasks, strict=True):
        assert mine.start is not None
        assert mine.finish is not None
        assert other.start is not None
        assert other.finish is not None
        # MPXJ starts GanttProject tasks at midnight, read_gan when work starts (08:00).
        assert other.start.date() == mine.start.date(), mine.name
        assert other.finish.date() == mine.finish.date(), mine.name
        assert other.duration_minutes == mine.duration_minutes, mine.name
        assert (other.summary, other.milestone) == (mine.summary, mine.milestone), mine.name
        assert other.priority == mine.priority, mine.name
        assert other.parent_uid == mine.parent_uid, mine.name
    # MPXJ reads only the dependencies written on top-level tasks; read_gan reads them all.
    top_level = {task.uid for task in ours.plan.tasks if task.parent_uid is None}

    def key(link: PlanLink) -> tuple[int, int, str, int]:
        return (link.predecessor_uid, link.successor_uid, link.type, link.lag_minutes)

    assert {key(link) for link in theirs.plan.links} == {
        key(link) for link in ours.plan.links if link.predecessor_uid in top_level
    }
    assert len(theirs.plan.links) < len(ours.plan.links)
    assert sorted(r.name for r in theirs.resources if r.name) == sorted(
        r.name for r in ours.resources
    )
    assert theirs.counts()["assignments"] == ours.counts()["assignments"]
