"""Reading GanttProject files: outline, dates, links, calendar, resources, errors."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pilotage.engine.calendars import YearlyByDate, compile_calendar
from pilotage.engine.plan import PlanTask
from pilotage.interop.document import ProjectDocument
from pilotage.interop.errors import PlanFileError
from pilotage.interop.gan import GAN_LINK_TYPES, GAN_PRIORITIES, read_gan

FIXTURES = Path(__file__).parent / "fixtures"
GARDEN = FIXTURES / "garden-office.gan"


def gan(tasks: str = "", *, calendars: str = "", rest: str = "", name: str = "P") -> bytes:
    """A small GanttProject file around the given task, calendar and resource elements."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><project name="{name}" version="3.3">'
        f"<calendars>{calendars}</calendars>"
        f"<tasks>{tasks}</tasks>{rest}</project>"
    ).encode()


def task(
    gan_id: int, start: str = "2026-03-02", duration: int = 1, body: str = "", **attrs: str
) -> str:
    extra = "".join(f' {key.replace("_", "-")}="{value}"' for key, value in attrs.items())
    return (
        f'<task id="{gan_id}" name="T{gan_id}" start="{start}" duration="{duration}"{extra}>'
        f"{body}</task>"
    )


@pytest.fixture(scope="module")
def garden() -> ProjectDocument:
    return read_gan(GARDEN)


def by_name(document: ProjectDocument, name: str) -> PlanTask:
    return next(task for task in document.plan.tasks if task.name == name)


def test_the_sample_reads_whole(garden: ProjectDocument) -> None:
    assert garden.format == "gan"
    assert garden.counts() == {
        "tasks": 8,
        "links": 6,
        "resources": 3,
        "assignments": 4,
        "calendars": 2,
    }
    assert garden.warnings == ()
    assert garden.plan.name == "Garden office"
    assert garden.properties == {
        "Title": "Garden office",
        "Company": "Willow & Sons",
        "Comments": "A timber office at the end of the garden.",
    }


def test_nesting_is_the_outline(garden: ProjectDocument) -> None:
    tasks = garden.plan.tasks
    assert [(task.name, task.outline_number, task.id) for task in tasks] == [
        ("Groundworks", "1", 1),
        ("Clear the site", "1.1", 2),
        ("Concrete base", "1.2", 3),
        ("Build", "2", 4),
        ("Frame and roof", "2.1", 5),
        ("Electrics", "2.2", 6),
        ("Cladding", "2.3", 7),
        ("Handover", "3", 8),
    ]
    assert [task.name for task in tasks if task.summary] == ["Groundworks", "Build"]
    assert [task.name for task in tasks if task.milestone] == ["Handover"]
    assert [task.name for task in garden.plan.children(by_name(garden, "Build").uid)] == [
        "Frame and roof",
        "Electrics",
        "Cladding",
    ]
    assert by_name(garden, "Electrics").outline_level == 2


def test_uids_are_ganttproject_ids_plus_one(garden: ProjectDocument) -> None:
    # GanttProject numbers tasks from 0; UID 0 is Microsoft Project's project summary task.
    assert {task.name: task.uid for task in garden.plan.tasks}["Groundworks"] == 1
    assert by_name(garden, "Clear the site").uid == 4
    assert by_name(garden, "Handover").uid == 3
    assert garden.plan.project_summary is None


def test_days_are_working_days_of_eight_hours(garden: ProjectDocument) -> None:
    clear = by_name(garden, "Clear the site")
    assert clear.duration_minutes == 2 * 480
    assert clear.duration_format == "d"
    assert clear.start == datetime(2026, 3, 2, 8)
    assert clear.finish == datetime(2026, 3, 3, 17)
    # Fourteen working days from Thursday 19 March: the worked Saturday 28 March counts and
    # Easter Monday does not.
    build = by_name(garden, "Build")
    assert build.finish == datetime(2026, 4, 7, 17)
    handover = by_name(garden, "Handover")
    assert handover.duration_minutes == 0
    assert handover.start == handover.finish == datetime(2026, 4, 14, 8)
    assert garden.plan.start == datetime(2026, 3, 2, 8)
    assert garden.plan.finish == datetime(2026, 4, 14, 8)
    assert garden.plan.minutes_per_day == 480


def test_depend_on_the_predecessor_names_the_successor(garden: ProjectDocument) -> None:
    names = {task.uid: task.name for task in garden.plan.tasks}
    links = {
        (names[link.predecessor_uid], names[link.successor_uid]): (link.type, link.lag_minutes)
        for link in garden.plan.links
    }
    assert links == {
        ("Clear the site", "Concrete base"): ("FS", 0),
        ("Concrete base", "Frame and roof"): ("FS", 5 * 480),
        ("Build", "Handover"): ("FS", 0),
        ("Frame and roof", "Electrics"): ("SS", 2 * 480),
        ("Frame and roof", "Cladding"): ("FF", -480),
        ("Electrics", "Cladding"): ("SF", 0),
    }
    assert GAN_LINK_TYPES == {"1": "SS", "2": "FS", "3": "FF", "4": "SF"}


def test_priorities_progress_notes_and_links(garden: ProjectDocument) -> None:
    priorities = {task.name: task.priority for task in garden.plan.tasks}
    assert priorities["Frame and roof"] == 100  # lowest
    assert priorities["Build"] == 400  # low
    assert priorities["Clear the site"] == 500  # normal
    assert priorities["Groundworks"] == 600  # high
    assert priorities["Concrete base"] == 900  # highest
    assert priorities["Electrics"] == 500  # not given
    assert sorted(GAN_PRIORITIES.values()) == [100, 400, 500, 600, 900]
    assert by_name(garden, "Groundworks").percent_complete == 60.0
    assert by_name(garden, "Concrete base").notes == "Let it cure a week before loading."
    base = garden.details(by_name(garden, "Concrete base").uid)
    assert base.hyperlink_address == "https://example.org/base?mix=C25"
    assert garden.details(1).guid == "0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9"


def test_manual_cost_and_earliest_begin(garden: ProjectDocument) -> None:
    cladding = by_name(garden, "Cladding")
    details = garden.details(cladding.uid)
    assert details.cost == details.fixed_cost == Decimal("1250.50")
    # The earliest-begin checkbox is off on Cladding, on for Electrics.
    assert cladding.constraint_type == "ASAP"
    electrics = by_name(garden, "Electrics")
    assert electrics.constraint_type == "SNET"
    assert electrics.constraint_date == datetime(2026, 3, 23, 8)


def test_the_calendar(garden: ProjectDocument) -> None:
    assert garden.plan.calendar_uid == 1
    standard = garden.plan.calendars_by_uid[1].calendar
    assert [bool(day) for day in standard.effective_week.days] == [True] * 5 + [False] * 2
    assert standard.periods_on(date(2026, 4, 6)) == ()  # a one-off holiday
    assert standard.periods_on(date(2026, 3, 28))  # a worked Saturday
    assert standard.periods_on(date(2031, 5, 1)) == ()  # a holiday every year
    assert [rule.rule for rule in standard.recurring] == [YearlyByDate(5, 1)]
    assert {exception.name for exception in standard.exceptions} == {"Easter Monday", ""}


def test_vacations_make_a_resource_calendar(garden: ProjectDocument) -> None:
    cleo = next(resource for resource in garden.resources if resource.name == "Cleo Ash")
    assert cleo.calendar_uid is not None
    vacation = garden.plan.calendars_by_uid[cleo.calendar_uid]
    assert vacation.base_uid == garden.plan.calendar_uid
    assert vacation.calendar.periods_on(date(2026, 3, 25)) == ()
    assert vacation.calendar.periods_on(date(2026, 3, 27)) == ()  # the end date is included
    assert vacation.calendar.periods_on(date(2026, 3, 30))  # back at work
    assert vacation.calendar.periods_on(date(2026, 4, 6)) == ()  # the base's holiday


def test_resources(garden: ProjectDocument) -> None:
    resources = {resource.name: resource for resource in garden.resources}
    assert {name: resource.uid for name, resource in resources.items()} == {
        "Ada Willow": 1,
        "Bram Oak": 2,
        "Cleo Ash": 3,
    }
    assert resources["Bram Oak"].standard_rate == Decimal("320")
    assert resources["Cleo Ash"].standard_rate == Decimal("275.5")
    assert resources["Cleo Ash"].standard_rate_unit == "d"
    assert resources["Ada Willow"].standard_rate is None
    assert resources["Ada Willow"].email == "ada@example.org"
    assert resources["Ada Willow"].group == "Project manager"
    assert resources["Bram Oak"].group == "Electrician"
    assert resources["Cleo Ash"].group == "Carpenter"


def test_custom_fields(garden: ProjectDocument) -> None:
    fields = {(field.owner, field.key): field.kind for field in garden.custom_fields}
    assert fields == {
        ("task", "Supplier"): "text",
        ("task", "Skips"): "number",
        ("task", "Signed off"): "flag",
        ("task", "Delivery"): "date",
        ("resource", "Licence"): "text",
        ("resource", "Phone"): "text",
        ("assignment", "Responsible"): "flag",
    }
    clear = garden.details(by_name(garden, "Clear the site").uid)
    assert {value.key: value.value for value in clear.custom_values} == {
        "Supplier": "Hire-a-Skip",
        "Skips": Decimal("3"),
        "Signed off": True,
    }
    base = garden.details(by_name(garden, "Concrete base").uid)
    assert [(value.key, value.value) for value in base.custom_values] == [
        ("Delivery", datetime(2026, 3, 5))
    ]
    resources = {resource.name: resource for resource in garden.resources}
    assert [(value.key, value.value) for value in resources["Bram Oak"].custom_values] == [
        ("Licence", "Electrician L3")
    ]
    assert [(value.key, value.value) for value in resources["Ada Willow"].custom_values] == [
        ("Phone", "01632 960001")
    ]


def test_allocations_become_assignments(garden: ProjectDocument) -> None:
    names = {task.uid: task.name for task in garden.plan.tasks}
    people = {resource.uid: resource.name for resource in garden.resources}
    rows = {(names[item.task_uid], people[item.resource_uid]): item for item in garden.assignments}
    assert set(rows) == {
        ("Clear the site", "Ada Willow"),
        ("Concrete base", "Cleo Ash"),
        ("Electrics", "Bram Oak"),
        ("Cladding", "Cleo Ash"),
    }
    half = rows["Concrete base", "Cleo Ash"]
    assert half.units == Decimal("0.5")
    assert half.work_minutes == 3 * 480  # half of six days
    assert half.start == by_name(garden, "Concrete base").start
    assert rows["Cladding", "Cleo Ash"].units == Decimal("1.5")
    assert rows["Cladding", "Cleo Ash"].work_minutes == 15 * 480
    responsible = {
        key: item.custom_values[0].value for key, item in rows.items() if item.custom_values
    }
    assert responsible[("Clear the site", "Ada Willow")] is True
    assert responsible[("Concrete base", "Cleo Ash")] is False


def test_sources_and_names(tmp_path: Path) -> None:
    data = GARDEN.read_bytes()
    copy = tmp_path / "office.gan"
    copy.write_bytes(data)
    assert read_gan(str(copy)).counts() == read_gan(copy).counts() == read_gan(data).counts()
    untitled = gan(task(0), name="")
    assert read_gan(untitled, name="upload/kitchen.gan").plan.name == "kitchen"
    copy.write_bytes(untitled)
    assert read_gan(copy).plan.name == "office"


def test_a_different_weekend() -> None:
    week = '<day-types><default-week sun="0" mon="0" tue="0" wed="0" thu="0" fri="1" sat="1"/>'
    document = read_gan(
        gan(task(0, start="2026-03-05", duration=3), calendars=week + "</day-types>")
    )
    # Thursday 5 March plus three days, Friday and Saturday off: Thursday, Sunday, Monday.
    assert document.plan.tasks[0].finish == datetime(2026, 3, 9, 17)


def test_a_task_starting_on_a_holiday_works_from_the_next_working_day() -> None:
    holiday = '<date year="2026" month="3" date="2" type="HOLIDAY"/>'
    document = read_gan(gan(task(0, start="2026-03-02", duration=1), calendars=holiday))
    assert document.plan.tasks[0].finish == datetime(2026, 3, 3, 17)


@settings(max_examples=40, deadline=None)
@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    days=st.integers(min_value=1, max_value=300),
)
def test_a_task_lasts_its_working_days(start: date, days: int) -> None:
    document = read_gan(gan(task(0, start=start.isoformat(), duration=days)))
    planned = document.plan.tasks[0]
    calendar = document.plan.calendars[0].calendar
    working = compile_calendar(calendar, start, start + timedelta(days=2 * days + 7))
    between = working.working_between(
        np.datetime64(planned.start, "m"), np.datetime64(planned.finish, "m")
    )
    assert between == planned.duration_minutes == days * 480


def test_what_is_skipped_is_said() -> None:
    document = read_gan(
        gan(
            task(
                0,
                body='<depend id="9" type="2"/><customproperty taskproperty-id="tpc7" value="x"/>',
            )
            + task(1, priority="7", complete="150"),
            calendars='<date year="2026" month="2" date="30" type="HOLIDAY"/>',
            rest=(
                '<resources><resource id="0" name="Ann" function="Mystery:3"/></resources>'
                '<allocations><allocation task-id="0" resource-id="5" load="100"/></allocations>'
            ),
        )
    )
    assert document.counts()["links"] == 0
    assert document.counts()["assignments"] == 0
    assert document.plan.tasks[1].priority == 500
    assert document.plan.tasks[1].percent_complete == 100
    warnings = "\n".join(document.warnings)
    assert len(document.warnings) == 7
    for expected in (
        "dependency on task '9'",
        "custom property 'tpc7'",
        "'2026-2-30' is not a date",
        "priority '7'",
        "completion 150",
        "role 'Mystery:3'",
        "resource '5' is not in the file",
    ):
        assert expected in warnings
    assert "Task 0 'T0'" in warnings


def test_a_missing_resource_in_an_allocation_is_said() -> None:
    document = read_gan(
        gan(
            task(0),
            rest='<allocations><allocation task-id="0" resource-id="5" load="100"/></allocations>',
        )
    )
    assert document.assignments == ()
    assert "resource '5' is not in the file" in document.warnings[0]


def test_old_files_without_calendars_or_types() -> None:
    # Older GanttProject versions wrote no calendar and no dependency type or lag.
    data = (
        b'<project name="Old"><tasks>'
        b'<task id="1" name="A" start="2026-03-06" duration="1"><depend id="2"/></task>'
        b'<task id="2" name="B" start="2026-03-09" duration="1"/>'
        b"</tasks></project>"
    )
    document = read_gan(data)
    assert document.plan.links[0].type == "FS"
    assert document.plan.tasks[0].finish == datetime(2026, 3, 6, 17)
    assert document.counts()["calendars"] == 1


def test_windows_1252_text_is_read_with_a_warning() -> None:
    data = (
        '<project name="Café"><tasks>'
        '<task id="0" name="Réunion" start="2026-03-02" duration="1"/></tasks></project>'
    )
    document = read_gan(data.encode("cp1252"), name="cafe.gan")
    assert document.plan.tasks[0].name == "Réunion"
    assert "Windows-1252" in document.warnings[0]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"PK\x03\x04rest", "binary file"),
        (b"Name,Start\nA,2026-03-02\n", "not an XML file"),
        (b'<project name="P"><tasks><task id="0"', "malformed XML"),
        (b"<Project/>", "not a GanttProject file: the document is <Project>"),
        (gan(task(0) + task(0)), "the id 0 is used by another task"),
        (gan('<task id="x" name="A" start="2026-03-02"/>'), "the id 'x' is not a whole number"),
        (gan(task(0, start="02/03/2026")), "start '02/03/2026' is not a date"),
        (gan('<task id="0" name="A"/>'), "has no start date"),
        (gan(task(0).replace('duration="1"', 'duration="two"')), "'two' is not a number of days"),
        (
            gan(
                task(0),
                calendars='<default-week sun="1" mon="1" tue="1" wed="1" thu="1" fri="1" sat="1"/>',
            ),
            "the calendar has no working day",
        ),
    ],
)
def test_unreadable_files(data: bytes, message: str) -> None:
    with pytest.raises(PlanFileError, match=message) as caught:
        read_gan(data, name="plan.gan")
    assert caught.value.file == "plan.gan"


def test_utf16_files() -> None:
    text = gan(task(0)).decode().replace("UTF-8", "UTF-16")
    assert read_gan(text.encode("utf-16")).plan.tasks[0].name == "T0"
    hostile = text.replace("<project", '<!DOCTYPE project [<!ENTITY a "x">]><project', 1)
    with pytest.raises(PlanFileError, match="document type"):
        read_gan(hostile.encode("utf-16"))
    with pytest.raises(PlanFileError, match="document type"):
        read_gan(hostile.encode("utf-16-be"))


def test_errors_give_the_line() -> None:
    data = (
        b'<project name="P">\n<tasks>\n'
        b'<task id="0" name="A" start="soon" duration="1"/>\n</tasks></project>'
    )
    with pytest.raises(PlanFileError) as caught:
        read_gan(data, name="plan.gan")
    assert caught.value.line == 3
    assert str(caught.value).startswith("plan.gan, line 3: task 'A'")


def test_a_missing_file() -> None:
    with pytest.raises(PlanFileError, match="cannot be read"):
        read_gan("/nonexistent/plan.gan")


def test_entity_expansion_is_refused_quickly() -> None:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE project [<!ENTITY a "aaaaaaaaaa">'
        + b"".join(
            b'<!ENTITY %s "%s">'
            % (f"e{level}".encode(), (f"&e{level - 1};" if level else "&a;").encode() * 10)
            for level in range(9)
        )
        + b']><project name="&e8;"><tasks/></project>'
    )
    with pytest.raises(PlanFileError, match="document type"):
        read_gan(laughs, name="laughs.gan")


def test_external_entities_are_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    data = (
        f'<?xml version="1.0"?><!DOCTYPE project [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<project name="&x;"><tasks/></project>'
    ).encode()
    with pytest.raises(PlanFileError, match="document type") as caught:
        read_gan(data, name="xxe.gan")
    assert "TOP SECRET" not in str(caught.value)


def test_a_task_drawn_later_stays_where_it_is_drawn() -> None:
    from pilotage.interop.dates import check_dates

    document = read_gan(
        gan(
            '<task id="0" name="First" start="2024-01-01" duration="2"/>'
            '<task id="1" name="Later" start="2024-01-10" duration="1"/>'
        )
    )
    later = document.plan.task(2)
    assert (later.constraint_type, later.constraint_date) == ("SNET", datetime(2024, 1, 10, 8))
    assert document.plan.task(1).constraint_type == "ASAP"
    checked = check_dates(document.plan)
    assert (checked.compared, checked.agreeing) == (2, 2)
