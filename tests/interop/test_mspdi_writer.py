"""Writing Microsoft Project XML: the file's form, its units, and what MPXJ reads from it."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from lxml import etree

from pilotage.engine.calendars import (
    Calendar,
    CalendarException,
    Daily,
    MonthlyByDay,
    MonthlyByWeekday,
    RecurringException,
    Weekly,
    WeekPattern,
    WorkingPeriod,
    YearlyByDate,
    YearlyByWeekday,
)
from pilotage.engine.plan import Plan, PlanCalendar, PlanLink, PlanTask
from pilotage.interop.document import (
    BaselineValues,
    CustomField,
    CustomValue,
    DocumentAssignment,
    DocumentResource,
    ProjectDocument,
    TaskDetails,
)
from pilotage.interop.mspdi import read_mspdi_document
from pilotage.interop.mspdi_writer import prepare_mspdi, write_mspdi
from tests.interop.test_mspdi_roundtrip import documents

FIXTURES = Path(__file__).parent / "fixtures"
NS = "{http://schemas.microsoft.com/project}"
MONDAY = datetime(2026, 3, 2, 8)
STANDARD = Calendar("Standard", WeekPattern.standard())


def task(uid: int, **fields: Any) -> PlanTask:
    values: dict[str, Any] = {
        "id": uid,
        "name": f"Task {uid}",
        "duration_minutes": 480,
        "duration_format": "d",
        "start": MONDAY,
        "finish": MONDAY + timedelta(hours=9),
    }
    values.update(fields)
    return PlanTask(uid=uid, **values)


def make(
    *tasks: PlanTask,
    links: tuple[PlanLink, ...] = (),
    calendars: tuple[PlanCalendar, ...] = (PlanCalendar(1, STANDARD),),
    calendar_uid: int | None = 1,
    **document: Any,
) -> ProjectDocument:
    plan = Plan(
        name="Kiosk",
        start=MONDAY,
        calendars=calendars,
        calendar_uid=calendar_uid,
        tasks=tasks,
        links=links,
    )
    return ProjectDocument(format="json", plan=plan, **document)


def xml(document: ProjectDocument) -> Any:
    return etree.fromstring(write_mspdi(document))


def find(root: Any, path: str) -> list[Any]:
    return list(root.iterfind("/".join(NS + part for part in path.split("/"))))


def value(root: Any, path: str) -> str | None:
    found = find(root, path)
    return found[0].text if found else None


def reread(document: ProjectDocument) -> ProjectDocument:
    return read_mspdi_document(write_mspdi(document), name="written.xml")


class TestTheFile:
    def test_declaration_namespace_and_save_version(self) -> None:
        content = write_mspdi(make(task(1)))
        assert content.startswith(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n')
        root = etree.fromstring(content)
        assert root.tag == NS + "Project"
        assert root.nsmap == {None: "http://schemas.microsoft.com/project"}
        assert value(root, "SaveVersion") == "14"
        assert value(root, "Name") == value(root, "Title") == "Kiosk"
        older = etree.fromstring(write_mspdi(make(task(1)), save_version=12))
        assert value(older, "SaveVersion") == "12"

    def test_project_settings(self) -> None:
        root = xml(make(task(1)))
        assert [
            value(root, name)
            for name in (
                "ScheduleFromStart",
                "StartDate",
                "CalendarUID",
                "DefaultStartTime",
                "DefaultFinishTime",
                "MinutesPerDay",
                "MinutesPerWeek",
                "DaysPerMonth",
            )
        ] == ["1", "2026-03-02T08:00:00", "1", "08:00:00", "17:00:00", "480", "2400", "20"]

    def test_utf8_text_is_escaped_and_characters_xml_cannot_hold_are_dropped(self) -> None:
        notes = 'Café & <bar> "quoted" line one\r\nline two\x01\x0b'
        again = reread(make(task(1, name="Zoë's <task>", notes=notes)))
        assert again.plan.task(1).name == "Zoë's <task>"
        assert again.plan.task(1).notes == 'Café & <bar> "quoted" line one\r\nline two'


class TestWhatTheFileNeeds:
    def test_a_project_summary_task_is_made_up(self) -> None:
        document = make(task(1), task(2, start=MONDAY + timedelta(days=3), finish=None))
        root = xml(document)
        summary = find(root, "Tasks/Task")[0]
        assert value(summary, "UID") == "0"
        assert value(summary, "OutlineLevel") == "0"
        assert value(summary, "Summary") == "1"
        assert value(summary, "Start") == "2026-03-02T08:00:00"
        assert value(summary, "Finish") == "2026-03-05T17:00:00"
        assert value(summary, "Duration") == "PT32H0M0S"

    def test_every_task_has_a_start_a_finish_and_a_duration(self) -> None:
        document = make(
            task(1, start=None, finish=None, duration_minutes=960),
            task(2, start=None, finish=None, duration_minutes=480),
            links=(PlanLink(1, 2),),
        )
        again = reread(document)
        assert [(item.start, item.finish) for item in again.plan.tasks] == [
            (MONDAY, datetime(2026, 3, 3, 17)),
            (datetime(2026, 3, 4, 8), datetime(2026, 3, 4, 17)),
        ]
        for element in find(xml(document), "Tasks/Task"):
            assert {"Start", "Finish", "Duration"} <= {child.tag[len(NS) :] for child in element}

    def test_a_plan_without_any_date_is_scheduled_from_today(self) -> None:
        undated = ProjectDocument(
            format="trello-json",
            plan=Plan(name="Board", tasks=(PlanTask(uid=1, id=1, name="Card"),)),
        )
        prepared = prepare_mspdi(undated, today=date(2026, 5, 4))
        assert prepared.plan.start == datetime(2026, 5, 4, 8)
        assert prepared.plan.tasks[0].start == datetime(2026, 5, 4, 8)

    def test_a_plan_without_a_calendar_gets_the_standard_one(self) -> None:
        document = make(task(1), calendars=(), calendar_uid=None)
        again = reread(document)
        assert again.plan.calendar_uid == 1
        assert again.plan.calendars[0].calendar.name == "Standard"
        assert again.plan.calendars[0].calendar.week == WeekPattern.standard()

    def test_the_outline_follows_the_parents(self) -> None:
        document = make(
            task(1, summary=True),
            task(2, summary=True),
            task(3, parent_uid=1, outline_level=7),
            task(4, parent_uid=2),
        )
        again = reread(document)
        assert [(item.uid, item.outline_level, item.parent_uid) for item in again.plan.tasks] == [
            (1, 1, None),
            (3, 2, 1),
            (2, 1, None),
            (4, 2, 2),
        ]

    def test_a_task_with_uid_0_gets_a_free_uid(self) -> None:
        document = make(
            task(0),
            task(5),
            links=(PlanLink(0, 5),),
            task_details={0: TaskDetails(work_minutes=60)},
            resources=(DocumentResource(uid=1, id=1, name="Ann"),),
            assignments=(DocumentAssignment(uid=1, task_uid=0, resource_uid=1),),
        )
        again = reread(document)
        assert [item.uid for item in again.plan.tasks] == [6, 5]
        assert (again.plan.links[0].predecessor_uid, again.details(6).work_minutes) == (6, 60)
        assert again.assignments[0].task_uid == 6

    def test_assignments_to_missing_tasks_or_resources_are_left_out(self) -> None:
        document = make(
            task(1),
            resources=(DocumentResource(uid=1, id=1, name="Ann"),),
            assignments=(
                DocumentAssignment(uid=1, task_uid=1, resource_uid=1),
                DocumentAssignment(uid=2, task_uid=9, resource_uid=1),
                DocumentAssignment(uid=3, task_uid=1, resource_uid=-65535),
            ),
        )
        again = reread(document)
        assert [item.uid for item in again.assignments] == [1]
        assert again.warnings == ()


class TestUnits:
    def test_durations_are_hours_and_formats_are_codes(self) -> None:
        root = xml(
            make(
                task(1, duration_minutes=3428, duration_format="h"),
                task(2, duration_minutes=2880, duration_format="ed", elapsed=True),
                task(3, duration_minutes=960, duration_format="d", estimated=True),
                task(4, duration_minutes=0, duration_format=None, milestone=True),
            )
        )
        tasks = find(root, "Tasks/Task")[1:]
        assert [value(item, "Duration") for item in tasks] == [
            "PT57H8M0S",
            "PT48H0M0S",
            "PT16H0M0S",
            "PT0H0M0S",
        ]
        assert [value(item, "DurationFormat") for item in tasks] == ["5", "8", "39", "53"]

    def test_lags_are_tenths_of_minutes(self) -> None:
        links = (
            PlanLink(1, 2, "FS", lag_minutes=480, lag_format="d"),
            PlanLink(1, 3, "SS", lag_minutes=-240, lag_format="h"),
            PlanLink(1, 4, "FF", lag_minutes=10080, lag_format="ew", elapsed_lag=True),
            PlanLink(1, 5, "SF", lag_format="%", lag_percent=25.0),
        )
        root = xml(make(*(task(uid) for uid in range(1, 6)), links=links))
        written = [
            (value(link, "Type"), value(link, "LinkLag"), value(link, "LagFormat"))
            for link in find(root, "Tasks/Task/PredecessorLink")
        ]
        assert written == [
            ("1", "4800", "7"),
            ("3", "-2400", "5"),
            ("0", "100800", "10"),
            ("2", "25", "19"),
        ]

    def test_a_cross_project_link_names_the_task_in_the_other_project(self) -> None:
        links = (
            PlanLink(42, 1, cross_project=True, cross_project_name=r"C:\plans\hall.mpp"),
            PlanLink(7, 1, cross_project=True, cross_project_name=r"C:\plans\hall.mpp\7"),
        )
        again = reread(make(task(1), links=links))
        assert [link.cross_project_name for link in again.plan.links] == [
            r"C:\plans\hall.mpp\42",
            r"C:\plans\hall.mpp\7",
        ]

    def test_money_is_hundredths_and_rates_are_per_hour(self) -> None:
        document = make(
            task(1),
            task_details={1: TaskDetails(cost=Decimal("8200"), fixed_cost=Decimal("0.05"))},
            resources=(
                DocumentResource(
                    uid=1,
                    id=1,
                    name="Ann",
                    standard_rate=Decimal("360"),
                    standard_rate_unit="d",
                    overtime_rate=Decimal("8000"),
                    overtime_rate_unit="mo",
                    cost_per_use=Decimal("12.5"),
                ),
            ),
        )
        root = xml(document)
        assert value(root, "Tasks/Task/Cost") == "820000"
        assert value(root, "Tasks/Task/FixedCost") == "5"
        assert value(root, "Resources/Resource/StandardRate") == "45"
        assert value(root, "Resources/Resource/StandardRateFormat") == "3"
        assert value(root, "Resources/Resource/OvertimeRate") == "50"
        assert value(root, "Resources/Resource/CostPerUse") == "1250"

    def test_resource_kinds(self) -> None:
        resources = (
            DocumentResource(uid=1, id=1, name="Ann"),
            DocumentResource(uid=2, id=2, name="Sand", kind="material", material_label="t"),
            DocumentResource(uid=3, id=3, name="Fees", kind="cost"),
        )
        root = xml(make(task(1), resources=resources))
        assert [
            (value(item, "Type"), value(item, "IsCostResource"))
            for item in find(root, "Resources/Resource")
        ] == [("1", "0"), ("0", "0"), ("0", "1")]
        assert [item.kind for item in reread(make(task(1), resources=resources)).resources] == [
            "work",
            "material",
            "cost",
        ]


# The case a random document found: the 26th of each month up to 18 August 2025.
EVENINGS = RecurringException(
    "Evenings",
    (WorkingPeriod(1140, 1410),),
    rule=MonthlyByDay(26),
    first=date(2025, 2, 6),
    last=date(2025, 8, 18),
)


class TestCalendars:
    def calendar_document(self, calendar: Calendar) -> ProjectDocument:
        return make(task(1), calendars=(PlanCalendar(1, calendar),))

    def test_exceptions_are_written_in_both_encodings_and_read_back_once(self) -> None:
        calendar = Calendar(
            "Standard",
            WeekPattern.standard(),
            exceptions=(
                CalendarException(date(2026, 12, 24), date(2026, 12, 26), name="Christmas"),
                CalendarException(date(2026, 6, 6), date(2026, 6, 6), (WorkingPeriod(540, 780),)),
            ),
            recurring=(
                RecurringException(
                    "Fortnight", rule=Daily(every=14), first=date(2026, 1, 5), count=3
                ),
            ),
        )
        root = xml(self.calendar_document(calendar))
        old = [
            (value(day, "TimePeriod/FromDate"), value(day, "TimePeriod/ToDate"))
            for day in find(root, "Calendars/Calendar/WeekDays/WeekDay")
            if value(day, "DayType") == "0"
        ]
        assert old == [
            ("2026-12-24T00:00:00", "2026-12-26T23:59:00"),
            ("2026-06-06T00:00:00", "2026-06-06T23:59:00"),
            ("2026-01-05T00:00:00", "2026-01-05T23:59:00"),
            ("2026-01-19T00:00:00", "2026-01-19T23:59:00"),
            ("2026-02-02T00:00:00", "2026-02-02T23:59:00"),
        ]
        new = find(root, "Calendars/Calendar/Exceptions/Exception")
        assert [(value(item, "Type"), value(item, "Occurrences")) for item in new] == [
            ("1", "3"),
            ("1", "1"),
            ("7", "3"),
        ]
        again = reread(self.calendar_document(calendar)).plan.calendars[0].calendar
        assert again.exceptions == calendar.exceptions
        assert again.recurring == calendar.recurring

    def test_recurring_patterns_keep_their_rule(self) -> None:
        recurring = (
            RecurringException(
                "Team day", rule=Weekly((0, 4)), first=date(2026, 1, 5), last=date(2026, 3, 27)
            ),
            RecurringException("Pay day", rule=MonthlyByDay(25), first=date(2026, 1, 1), count=6),
            RecurringException(
                "Open day",
                (WorkingPeriod(600, 840),),
                rule=YearlyByDate(9, 19),
                first=date(2026, 1, 1),
                count=3,
            ),
        )
        calendar = Calendar("Standard", WeekPattern.standard(), recurring=recurring)
        again = reread(self.calendar_document(calendar)).plan.calendars[0].calendar
        assert again.recurring == recurring

    def test_a_rule_microsoft_project_repeats_differently_is_written_as_its_dates(self) -> None:
        # Microsoft Project's weeks start on Sunday, the calendar model's on Monday: "every
        # other Sunday" from a Monday falls on other Sundays.
        fortnightly = RecurringException(
            "Review", rule=Weekly((6,), every=2), first=date(2026, 1, 5), count=3
        )
        calendar = Calendar("Standard", WeekPattern.standard(), recurring=(fortnightly,))
        again = reread(self.calendar_document(calendar)).plan.calendars[0].calendar
        assert again.recurring == ()
        days = [date(2026, 1, 1) + timedelta(days=offset) for offset in range(60)]
        assert [again.periods_on(day) for day in days] == [calendar.periods_on(day) for day in days]

    def test_an_open_ended_rule_runs_five_years_after_the_plan(self) -> None:
        christmas = RecurringException("Christmas", rule=YearlyByDate(12, 25))
        calendar = Calendar("Standard", WeekPattern.standard(), recurring=(christmas,))
        (again,) = reread(self.calendar_document(calendar)).plan.calendars[0].calendar.recurring
        assert (again.rule, again.first, again.last) == (
            christmas.rule,
            date(2026, 1, 1),
            date(2031, 12, 31),
        )

    def test_a_rule_ending_before_the_occurrence_of_its_last_month_keeps_its_end(self) -> None:
        # The 26th of each month up to 18 August 2025: six occurrences, the last on 26 July.
        calendar = Calendar("Standard", WeekPattern.standard(), recurring=(EVENINGS,))
        (item,) = find(
            xml(self.calendar_document(calendar)), "Calendars/Calendar/Exceptions/Exception"
        )
        assert [
            value(item, path)
            for path in (
                "EnteredByOccurrences",
                "TimePeriod/FromDate",
                "TimePeriod/ToDate",
                "Occurrences",
                "MonthDay",
            )
        ] == ["0", "2025-02-06T00:00:00", "2025-08-18T23:59:00", "6", "26"]
        again = reread(self.calendar_document(calendar)).plan.calendars[0].calendar
        assert again.recurring == (EVENINGS,)
        assert again.periods_on(date(2025, 7, 26)) == EVENINGS.periods
        assert again.periods_on(date(2025, 8, 26)) == WeekPattern.standard().days[1]

    def test_public_holidays_become_exceptions(self) -> None:
        calendar = Calendar("France", WeekPattern.standard(), holiday_country="FR")
        again = reread(self.calendar_document(calendar)).plan.calendars[0].calendar
        assert again.periods_on(date(2026, 5, 1)) == ()
        assert again.periods_on(date(2026, 5, 4)) != ()
        assert "Christmas Day" in {exception.name for exception in again.exceptions}

    def test_exceptions_on_the_same_date_are_written_apart(self) -> None:
        calendar = Calendar(
            "Standard",
            WeekPattern.standard(),
            exceptions=(
                CalendarException(date(2026, 7, 27), date(2026, 8, 7), name="Summer closure"),
                CalendarException(
                    date(2026, 8, 3), date(2026, 8, 3), (WorkingPeriod(540, 720),), "Inventory"
                ),
            ),
            recurring=(
                RecurringException(
                    "Team day", rule=Weekly((2,)), first=date(2026, 7, 1), last=date(2026, 8, 31)
                ),
            ),
        )
        root = xml(self.calendar_document(calendar))
        covered = [
            (value(item, "TimePeriod/FromDate"), value(item, "TimePeriod/ToDate"))
            for item in find(root, "Calendars/Calendar/WeekDays/WeekDay")
            if value(item, "DayType") == "0"
        ]
        days = [
            date.fromisoformat(first[:10]) + timedelta(days=offset)
            for first, last in covered
            if first and last
            for offset in range(
                (date.fromisoformat(last[:10]) - date.fromisoformat(first[:10])).days + 1
            )
        ]
        assert len(days) == len(set(days))
        again = reread(self.calendar_document(calendar)).plan.calendars[0].calendar
        span = [date(2026, 6, 28) + timedelta(days=offset) for offset in range(70)]
        assert [again.periods_on(day) for day in span] == [calendar.periods_on(day) for day in span]
        assert again.periods_on(date(2026, 8, 3)) == (WorkingPeriod(540, 720),)

    def test_a_task_calendar_derived_from_another_is_written_as_a_base_calendar(self) -> None:
        base = Calendar(
            "Standard",
            WeekPattern.standard(),
            exceptions=(CalendarException(date(2026, 3, 6), date(2026, 3, 6), name="Fair"),),
        )
        derived = Calendar("Late shift", WeekPattern.standard().with_day(0, ()), base=base)
        document = make(
            task(1, calendar_uid=2),
            calendars=(PlanCalendar(1, base), PlanCalendar(2, derived, 1)),
        )
        (_, written) = reread(document).plan.calendars
        assert (written.uid, written.base_uid, written.calendar.base) == (2, None, None)
        span = [date(2026, 3, 1) + timedelta(days=offset) for offset in range(14)]
        assert [written.calendar.periods_on(day) for day in span] == [
            derived.periods_on(day) for day in span
        ]

    def test_a_resource_calendar_inherits_its_base(self) -> None:
        base = Calendar("Standard", WeekPattern.standard())
        derived = Calendar(
            "Ann",
            base=base,
            exceptions=(CalendarException(date(2026, 3, 9), date(2026, 3, 13), name="Leave"),),
        )
        document = make(task(1), calendars=(PlanCalendar(1, base), PlanCalendar(2, derived, 1)))
        root = xml(document)
        ann = find(root, "Calendars/Calendar")[1]
        assert (value(ann, "IsBaseCalendar"), value(ann, "BaseCalendarUID")) == ("0", "1")
        assert [value(day, "DayType") for day in find(ann, "WeekDays/WeekDay")] == ["0"]
        assert reread(document).plan.calendars == document.plan.calendars


class TestCustomFields:
    def test_microsoft_project_fields_keep_their_identifier(self) -> None:
        document = make(
            task(1),
            custom_fields=(CustomField("Text3", alias="Area"),),
            task_details={1: TaskDetails(custom_values=(CustomValue("Text3", "North"),))},
        )
        root = xml(document)
        assert value(root, "ExtendedAttributes/ExtendedAttribute/FieldID") == "188743737"
        assert value(root, "ExtendedAttributes/ExtendedAttribute/Alias") == "Area"
        assert value(root, "Tasks/Task/ExtendedAttribute/Value") == "North"

    def test_other_tools_fields_get_a_free_field_named_by_an_alias(self) -> None:
        document = make(
            task(1),
            custom_fields=(
                CustomField("Text1", alias="Area"),
                CustomField("Story points", kind="number"),
                CustomField("Sprint", kind="text"),
            ),
            task_details={
                1: TaskDetails(
                    custom_values=(
                        CustomValue("Story points", Decimal("5")),
                        CustomValue("Sprint", "Sprint 12"),
                        CustomValue("Epic", "Checkout"),
                        CustomValue("Blocked", True),
                    )
                )
            },
        )
        again = reread(document)
        assert again.custom_fields == (
            CustomField("Text1", "task", "text", "Area", 188743731),
            CustomField("Number1", "task", "number", "Story points", 188743767),
            CustomField("Text2", "task", "text", "Sprint", 188743734),
            CustomField("Text3", "task", "text", "Epic", 188743737),
            CustomField("Flag1", "task", "flag", "Blocked", 188743752),
        )
        assert again.details(1).custom_values == (
            CustomValue("Number1", Decimal("5")),
            CustomValue("Text2", "Sprint 12"),
            CustomValue("Text3", "Checkout"),
            CustomValue("Flag1", True),
        )

    def test_a_value_of_the_wrong_type_is_left_out(self) -> None:
        document = make(
            task(1),
            custom_fields=(CustomField("Number1", kind="number"),),
            task_details={1: TaskDetails(custom_values=(CustomValue("Number1", "five"),))},
        )
        assert reread(document).details(1).custom_values == ()

    def test_cost_values_are_hundredths(self) -> None:
        document = make(
            task(1),
            custom_fields=(CustomField("Cost1", kind="cost"),),
            task_details={1: TaskDetails(custom_values=(CustomValue("Cost1", Decimal("12.34")),))},
        )
        assert value(xml(document), "Tasks/Task/ExtendedAttribute/Value") == "1234"


# MPXJ (Java) reads what was written: the check that other tools read the file as meant.


@pytest.fixture(scope="module")
def java() -> Any:
    pytest.importorskip("mpxj")
    jpype = pytest.importorskip("jpype")
    if not jpype.isJVMStarted():
        try:
            jpype.startJVM()
        except Exception as error:  # pragma: no cover - depends on the machine
            pytest.skip(f"the Java virtual machine does not start: {error}")
    return jpype


def mpxj_read(java: Any, content: bytes, folder: Path) -> Any:
    path = folder / "written.xml"
    path.write_bytes(content)
    reader = java.JClass("org.mpxj.mspdi.MSPDIReader")()
    project = reader.read(str(path))
    assert list(project.getIgnoredErrors()) == []
    return project


@dataclass(frozen=True)
class Written:
    """A document as it is written (prepared), the file, and the project MPXJ reads from it."""

    prepared: ProjectDocument
    content: bytes
    project: Any


def written(java: Any, document: ProjectDocument, folder: Path) -> Written:
    content = write_mspdi(document)
    return Written(prepare_mspdi(document), content, mpxj_read(java, content, folder))


def mpxj_minutes(duration: Any, plan: Plan) -> int | None:
    if duration is None:
        return None
    per_unit = {
        "m": 1,
        "h": 60,
        "d": plan.minutes_per_day,
        "w": plan.minutes_per_week,
        "mo": plan.minutes_per_day * plan.days_per_month,
        "em": 1,
        "eh": 60,
        "ed": 1440,
        "ew": 10080,
        "emo": 43200,
    }[str(duration.getUnits())]
    return round(float(duration.getDuration()) * per_unit)


CONSTRAINTS = {
    "ASAP": "AS_SOON_AS_POSSIBLE",
    "ALAP": "AS_LATE_AS_POSSIBLE",
    "MSO": "MUST_START_ON",
    "MFO": "MUST_FINISH_ON",
    "SNET": "START_NO_EARLIER_THAN",
    "SNLT": "START_NO_LATER_THAN",
    "FNET": "FINISH_NO_EARLIER_THAN",
    "FNLT": "FINISH_NO_LATER_THAN",
}


def mpxj_date(value: Any) -> datetime | None:
    return None if value is None else datetime.fromisoformat(str(value))


EVERYTHING = ProjectDocument(
    format="json",
    plan=Plan(
        name="Everything",
        start=MONDAY,
        calendar_uid=1,
        calendars=(
            PlanCalendar(
                1,
                Calendar(
                    "Standard",
                    WeekPattern.standard(),
                    exceptions=(CalendarException(date(2026, 3, 20), date(2026, 3, 20)),),
                    recurring=(
                        RecurringException(
                            "Team day", rule=Weekly((2,)), first=date(2026, 3, 2), count=4
                        ),
                    ),
                ),
            ),
            PlanCalendar(2, Calendar("Nights", WeekPattern.continuous())),
        ),
        tasks=(
            task(1, summary=True, duration_minutes=2400),
            task(2, parent_uid=1, outline_level=2, duration_minutes=960, notes="First"),
            task(3, parent_uid=1, outline_level=2, duration_minutes=1440, duration_format="ed",
                 elapsed=True, calendar_uid=2),
            task(4, duration_minutes=0, milestone=True, constraint_type="SNET",
                 constraint_date=datetime(2026, 3, 9, 8), deadline=datetime(2026, 3, 20, 17)),
            task(5, duration_minutes=600, duration_format="h", priority=900, percent_complete=40,
                 actual_start=MONDAY, manual=True),
        ),
        links=(
            PlanLink(2, 3, "FS", lag_minutes=480, lag_format="d"),
            PlanLink(2, 4, "SS", lag_minutes=-120, lag_format="h"),
            PlanLink(3, 4, "FF", lag_minutes=2880, lag_format="ed", elapsed_lag=True),
            PlanLink(2, 5, "SF", lag_format="%", lag_percent=50.0),
            PlanLink(4, 5, "FS", lag_minutes=2400, lag_format="w"),
        ),
    ),
    custom_fields=(
        CustomField("Text1", alias="Area"),
        CustomField("Cost2", kind="cost"),
        CustomField("Duration1", kind="duration"),
        CustomField("Text1", owner="resource", alias="Team"),
    ),
    task_details={
        2: TaskDetails(
            work_minutes=1920,
            cost=Decimal("8200.50"),
            task_type="fixed_work",
            baselines=(
                BaselineValues(0, MONDAY, MONDAY + timedelta(days=1, hours=9), 960, "d", 960,
                               Decimal("100")),
                BaselineValues(10, cost=Decimal("250.25")),
            ),
            custom_values=(
                CustomValue("Text1", "North"),
                CustomValue("Cost2", Decimal("99.99")),
                CustomValue("Duration1", 720, "h"),
            ),
        ),
    },
    resources=(
        DocumentResource(uid=1, id=1, name="Ann", standard_rate=Decimal("400"),
                         standard_rate_unit="d", max_units=Decimal("0.5"),
                         custom_values=(CustomValue("Text1", "Blue"),)),
        DocumentResource(uid=2, id=2, name="Sand", kind="material", material_label="t",
                         standard_rate=Decimal("30")),
        DocumentResource(uid=3, id=3, name="Permit", kind="cost"),
    ),
    assignments=(
        DocumentAssignment(uid=1, task_uid=2, resource_uid=1, units=Decimal("0.5"),
                           work_minutes=480, cost=Decimal("400")),
        DocumentAssignment(uid=2, task_uid=3, resource_uid=2, units=Decimal("12")),
        DocumentAssignment(uid=3, task_uid=4, resource_uid=3, cost=Decimal("150")),
    ),
)  # fmt: skip


def documents_to_check() -> Iterator[tuple[str, ProjectDocument]]:
    yield "everything", EVERYTHING
    for name in (
        "office-move.xml",
        "mspdi-resources.xml",
        "mspdi-details.xml",
        "mspdi-calendars.xml",
    ):
        yield name, read_mspdi_document(FIXTURES / name)


def check_tasks_and_links(read: Written) -> None:
    project = read.project
    plan = read.prepared.plan
    # MPXJ adds a task for the predecessor of a link from another project.
    elsewhere = {link.predecessor_uid for link in plan.links if link.cross_project}
    theirs = {
        int(item.getUniqueID()): item
        for item in project.getTasks()
        if item.getUniqueID() and int(item.getUniqueID()) not in elsewhere
    }
    assert set(theirs) == {item.uid for item in plan.tasks}
    for ours in plan.tasks:
        other = theirs[ours.uid]
        assert str(other.getName() or "") == ours.name
        assert mpxj_minutes(other.getDuration(), plan) == ours.duration_minutes
        assert (mpxj_date(other.getStart()), mpxj_date(other.getFinish())) == (
            ours.start,
            ours.finish,
        )
        assert bool(other.getMilestone()) == ours.milestone
        if not elsewhere:
            # MPXJ puts the task of another project in the outline, which moves others.
            assert bool(other.getSummary()) == ours.summary
        assert float(other.getPercentageComplete() or 0) == ours.percent_complete
        assert mpxj_date(other.getDeadline()) == ours.deadline
        assert str(other.getConstraintType()) == CONSTRAINTS[ours.constraint_type]
        assert mpxj_date(other.getConstraintDate()) == ours.constraint_date
        parent = other.getParentTask()
        parent_uid = int(parent.getUniqueID()) if parent is not None else None
        if not elsewhere:
            assert (parent_uid or None) == ours.parent_uid
    links = sorted(
        (
            int(relation.getPredecessorTask().getUniqueID()),
            int(relation.getSuccessorTask().getUniqueID()),
            str(relation.getType()),
            *lag_or_none(str(relation.getLag().getUnits()), float(relation.getLag().getDuration())),
        )
        for item in project.getTasks()
        for relation in item.getPredecessors()
    )
    expected = [
        (
            link.predecessor_uid,
            link.successor_uid,
            link.type,
            *lag_or_none(*mpxj_lag(link, plan)),
        )
        for link in plan.links
    ]
    assert links == sorted(expected)


def check_resources_assignments_and_values(read: Written, java: Any) -> None:
    prepared, project = read.prepared, read.project
    kinds = {"work": "WORK", "material": "MATERIAL", "cost": "COST"}
    theirs = {
        int(item.getUniqueID()): item
        for item in project.getResources()
        if item.getName() or int(item.getUniqueID())
    }
    assert set(theirs) == {item.uid for item in prepared.resources}
    for ours in prepared.resources:
        other = theirs[ours.uid]
        assert str(other.getType()) == kinds[ours.kind]
        if ours.standard_rate is not None:
            rate = other.getStandardRate()
            # MPXJ rounds rates to the cent.
            assert float(rate.getAmount()) == pytest.approx(
                float(ours.standard_rate), rel=1e-4, abs=0.02
            )
            assert str(rate.getUnits()) == ours.standard_rate_unit
        if ours.max_units is not None:
            # MPXJ keeps units as a double.
            assert float(other.getMaxUnits()) == pytest.approx(float(ours.max_units * 100))
    assignments = {
        int(item.getUniqueID()): item
        for item in project.getResourceAssignments()
        if item.getResourceUniqueID() is not None
    }
    assert set(assignments) == {item.uid for item in prepared.assignments}
    for assignment in prepared.assignments:
        other = assignments[assignment.uid]
        assert int(other.getTask().getUniqueID()) == assignment.task_uid
        assert int(other.getResourceUniqueID()) == assignment.resource_uid
        if assignment.units is not None:
            assert float(other.getUnits()) == pytest.approx(float(assignment.units * 100))
        if assignment.work_minutes is not None:
            assert mpxj_minutes(other.getWork(), prepared.plan) == assignment.work_minutes
        if assignment.cost is not None:
            assert Decimal(str(other.getCost())) == assignment.cost
    task_field = java.JClass("org.mpxj.TaskField")
    tasks = {int(item.getUniqueID()): item for item in project.getTasks()}
    for uid, details in prepared.task_details.items():
        other = tasks[uid]
        if details.cost is not None:
            assert Decimal(str(other.getCost())) == details.cost
        if details.work_minutes is not None:
            assert mpxj_minutes(other.getWork(), prepared.plan) == details.work_minutes
        for baseline in details.baselines:
            number = baseline.number
            if baseline.cost is not None:
                cost = other.getBaselineCost(number) if number else other.getBaselineCost()
                assert Decimal(str(cost)) == baseline.cost
            if baseline.start is not None:
                start = other.getBaselineStart(number) if number else other.getBaselineStart()
                assert mpxj_date(start) == baseline.start
        for custom in details.custom_values:
            field = re.sub(r"(\D)(\d)", r"\1_\2", custom.key).upper().replace("_", "")
            field = re.sub(r"OUTLINECODE", "OUTLINE_CODE", field)
            got = other.get(getattr(task_field, field))
            if isinstance(custom.value, bool):
                assert bool(got) == custom.value
            elif isinstance(custom.value, int):
                assert mpxj_minutes(got, prepared.plan) == custom.value
            elif isinstance(custom.value, Decimal):
                assert Decimal(str(got)) == custom.value
            elif isinstance(custom.value, datetime):
                assert mpxj_date(got) == custom.value
            else:
                assert str(got) == custom.value


def check_calendars(read: Written, java: Any) -> None:
    prepared, project = read.prepared, read.project
    theirs = {int(item.getUniqueID()): item for item in project.getCalendars()}
    # MPXJ drops a derived (resource) calendar that no resource uses.
    used = {resource.calendar_uid for resource in prepared.resources}
    kept = [item for item in prepared.plan.calendars if item.base_uid is None or item.uid in used]
    assert set(theirs) == {item.uid for item in kept}
    start = prepared.plan.start
    assert start is not None
    days = [start.date() + timedelta(days=offset) for offset in range(-40, 400, 3)]
    for plan_calendar in kept:
        other = theirs[plan_calendar.uid]
        assert mpxj_working_minutes(java, other, days) == working_minutes(
            as_mpxj_reads(plan_calendar.calendar), days
        ), plan_calendar.uid


def working_minutes(calendar: Calendar, days: list[date]) -> dict[date, int]:
    return {day: sum(period.minutes for period in calendar.periods_on(day)) for day in days}


def mpxj_working_minutes(java: Any, calendar: Any, days: list[date]) -> dict[date, int]:
    local_date = java.JClass("java.time.LocalDate")
    minutes = java.JClass("org.mpxj.TimeUnit").MINUTES
    return {
        day: round(
            float(
                calendar.getWork(local_date.of(day.year, day.month, day.day), minutes).getDuration()
            )
        )
        for day in days
    }


@pytest.mark.parametrize(("name", "document"), list(documents_to_check()))
class TestMpxjReadsTheFile:
    def test_tasks_and_links(
        self, name: str, document: ProjectDocument, java: Any, tmp_path: Path
    ) -> None:
        check_tasks_and_links(written(java, document, tmp_path))

    def test_resources_assignments_and_values(
        self, name: str, document: ProjectDocument, java: Any, tmp_path: Path
    ) -> None:
        check_resources_assignments_and_values(written(java, document, tmp_path), java)

    def test_calendars(
        self, name: str, document: ProjectDocument, java: Any, tmp_path: Path
    ) -> None:
        check_calendars(written(java, document, tmp_path), java)

    def test_elements_follow_the_schema_order(
        self, name: str, document: ProjectDocument, orders: dict[str, list[str]]
    ) -> None:
        check_schema_order(write_mspdi(document), orders)


def as_mpxj_reads(calendar: Calendar) -> Calendar:
    """The calendar as MPXJ reads it from the file written for it.

    MPXJ expands a monthly or yearly recurring exception month by month while the first of the
    month is not after the end of its range, and ignores the number of occurrences: a range
    that ends between the first of a month and that month's occurrence takes the occurrence in.
    The file holds what Microsoft Project writes for "end by" (the end date the author gave and
    the occurrences up to it) and our reader reads the same dates back, so the checks against
    MPXJ expect MPXJ's reading of it.
    """
    return replace(
        calendar,
        recurring=tuple(mpxj_range(item) for item in calendar.recurring),
        base=None if calendar.base is None else as_mpxj_reads(calendar.base),
    )


def mpxj_range(item: RecurringException) -> RecurringException:
    if item.last is None or item.count is not None:
        return item
    if not isinstance(item.rule, MonthlyByDay | MonthlyByWeekday | YearlyByDate | YearlyByWeekday):
        return item
    end_of_month = (item.last.replace(day=1) + timedelta(days=32)).replace(day=1)
    taken = replace(item, last=None).occurrences(
        item.last + timedelta(days=1), end_of_month - timedelta(days=1)
    )
    return replace(item, last=taken[0]) if taken else item


@pytest.mark.parametrize(
    ("recurring", "taken_in"),
    [
        pytest.param(EVENINGS, date(2025, 8, 26), id="monthly-by-day"),
        pytest.param(
            RecurringException(
                "Last Friday",
                rule=MonthlyByWeekday(4, -1),
                first=date(2025, 2, 6),
                last=date(2025, 8, 18),
            ),
            date(2025, 8, 29),
            id="monthly-by-weekday",
        ),
        pytest.param(
            RecurringException(
                "Open day",
                (WorkingPeriod(600, 840),),
                rule=YearlyByDate(9, 26),
                first=date(2025, 1, 1),
                last=date(2027, 9, 10),
            ),
            date(2027, 9, 26),
            id="yearly-by-date",
        ),
        pytest.param(
            RecurringException(
                "Review", rule=MonthlyByDay(10), first=date(2025, 2, 6), last=date(2025, 8, 18)
            ),
            None,
            id="ending-after-the-occurrence",
        ),
    ],
)
def test_mpxj_takes_in_the_occurrence_of_the_month_a_range_ends_in(
    recurring: RecurringException, taken_in: date | None, java: Any, tmp_path: Path
) -> None:
    assert recurring.first is not None
    assert recurring.last is not None
    calendar = Calendar("Standard", WeekPattern.standard(), recurring=(recurring,))
    other = written(java, make(task(1), calendars=(PlanCalendar(1, calendar),)), tmp_path)
    span = (recurring.last - recurring.first).days + 60
    days = [recurring.first + timedelta(days=offset) for offset in range(span)]
    theirs = mpxj_working_minutes(java, other.project.getCalendarByUniqueID(java.JInt(1)), days)
    ours = working_minutes(calendar, days)
    assert {day for day in days if theirs[day] != ours[day]} == ({taken_in} - {None})
    assert theirs == working_minutes(as_mpxj_reads(calendar), days)


def mpxj_lag(link: PlanLink, plan: Plan) -> tuple[str, float]:
    """How MPXJ gives a lag: in its display unit, a percentage lag as a percentage."""
    if link.lag_percent is not None:
        return str(link.lag_format), link.lag_percent
    per_unit = {
        "m": 1,
        "h": 60,
        "d": plan.minutes_per_day,
        "w": plan.minutes_per_week,
        "mo": plan.minutes_per_day * plan.days_per_month,
        "em": 1,
        "eh": 60,
        "ed": 1440,
        "ew": 10080,
        "emo": 43200,
    }
    unit = link.lag_format or "d"
    return unit, round(link.lag_minutes / per_unit[unit], 6)


def lag_or_none(unit: str, amount: float) -> tuple[str, float]:
    """A lag to compare: its unit does not matter when it is zero (MPXJ may give another)."""
    return ("", 0.0) if amount == 0 else (unit, round(amount, 6))


def schema_orders(java: Any) -> dict[str, list[str]]:
    """The child order of each MSPDI element, from the schema classes MPXJ was built from."""
    xml_type = java.JClass("jakarta.xml.bind.annotation.XmlType")
    xml_element = java.JClass("jakarta.xml.bind.annotation.XmlElement")
    java_class = java.JClass("java.lang.Class")
    base = "org.mpxj.mspdi.schema.Project"
    classes = {
        "Project": "",
        "Project/Calendars/Calendar": "$Calendars$Calendar",
        "Calendar/WeekDays/WeekDay": "$Calendars$Calendar$WeekDays$WeekDay",
        "Calendar/Exceptions/Exception": "$Calendars$Calendar$Exceptions$Exception",
        "Project/ExtendedAttributes/ExtendedAttribute": "$ExtendedAttributes$ExtendedAttribute",
        "Project/Tasks/Task": "$Tasks$Task",
        "Task/PredecessorLink": "$Tasks$Task$PredecessorLink",
        "Task/Baseline": "$Tasks$Task$Baseline",
        "Task/ExtendedAttribute": "$Tasks$Task$ExtendedAttribute",
        "Project/Resources/Resource": "$Resources$Resource",
        "Resource/Baseline": "$Resources$Resource$Baseline",
        "Resource/ExtendedAttribute": "$Resources$Resource$ExtendedAttribute",
        "Project/Assignments/Assignment": "$Assignments$Assignment",
        "Assignment/Baseline": "$Assignments$Assignment$Baseline",
        "Assignment/ExtendedAttribute": "$Assignments$Assignment$ExtendedAttribute",
    }
    orders: dict[str, list[str]] = {}
    for path, suffix in classes.items():
        schema_class = java_class.forName(base + suffix)
        names = []
        for prop in schema_class.getAnnotation(xml_type).propOrder():
            annotation = schema_class.getDeclaredField(prop).getAnnotation(xml_element)
            name = str(annotation.name()) if annotation is not None else str(prop)
            names.append(str(prop) if name == "##default" else name)
        orders[path] = names
    # Project 2010 added the manual dates after Duration, where Microsoft Project writes them;
    # MPXJ's schema lists them at the end.
    task_order = [
        name
        for name in orders["Project/Tasks/Task"]
        if name not in ("ManualStart", "ManualFinish", "ManualDuration")
    ]
    at = task_order.index("Duration") + 1
    task_order[at:at] = ["ManualStart", "ManualFinish", "ManualDuration"]
    orders["Project/Tasks/Task"] = task_order
    return orders


@pytest.fixture(scope="module")
def orders(java: Any) -> dict[str, list[str]]:
    return schema_orders(java)


def check_schema_order(content: bytes, orders: dict[str, list[str]]) -> None:
    root = etree.fromstring(content)
    checked = 0
    for element in root.iter():
        path = "/".join(
            etree.QName(item).localname
            for item in (*reversed(list(element.iterancestors())), element)
        )
        order = next((orders[key] for key in orders if path.endswith(key)), None)
        if order is None:
            continue
        names = [etree.QName(child).localname for child in element]
        assert set(names) <= set(order), (path, set(names) - set(order))
        positions = [order.index(child) for child in names]
        assert positions == sorted(positions), (path, names)
        checked += 1
    assert checked > 5


# Each example is written and read by MPXJ once, and every check runs on that one reading: when
# an example fails, shrinking it runs the example again many times.
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(document=documents())
def test_mpxj_reads_random_documents_as_written(
    document: ProjectDocument, java: Any, orders: dict[str, list[str]]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        read = written(java, document, Path(folder))
    check_tasks_and_links(read)
    check_resources_assignments_and_values(read, java)
    check_calendars(read, java)
    check_schema_order(read.content, orders)
