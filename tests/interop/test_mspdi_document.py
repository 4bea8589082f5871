"""Reading a whole Microsoft Project XML file: properties, details, resources, assignments."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from pilotage.engine.calendars import MonthlyByWeekday, WorkingPeriod, YearlyByDate
from pilotage.interop import mspdi
from pilotage.interop.document import (
    BaselineValues,
    CustomField,
    CustomValue,
    DocumentAssignment,
    ProjectDocument,
)
from pilotage.interop.mspdi import PlanFileError, read_mspdi, read_mspdi_document

FIXTURES = Path(__file__).parent / "fixtures"
NAMESPACE = "http://schemas.microsoft.com/project"


def document(*parts: str) -> ProjectDocument:
    content = f'<Project xmlns="{NAMESPACE}">{"".join(parts)}</Project>'.encode()
    return read_mspdi_document(content, name="plan.xml")


def task_xml(uid: int, body: str = "") -> str:
    return (
        f"<Task><UID>{uid}</UID><ID>{uid}</ID><Name>Task {uid}</Name>"
        f"<OutlineLevel>1</OutlineLevel>{body}</Task>"
    )


def resource_xml(uid: int, body: str = "") -> str:
    return f"<Resource><UID>{uid}</UID><ID>{uid}</ID>{body}</Resource>"


@pytest.fixture(scope="module")
def resources() -> ProjectDocument:
    return read_mspdi_document(FIXTURES / "mspdi-resources.xml")


@pytest.fixture(scope="module")
def details() -> ProjectDocument:
    return read_mspdi_document(FIXTURES / "mspdi-details.xml")


@pytest.fixture(scope="module")
def legacy() -> ProjectDocument:
    return read_mspdi_document(FIXTURES / "mspdi-legacy-fields.xml")


@pytest.fixture(scope="module")
def calendars() -> ProjectDocument:
    return read_mspdi_document(FIXTURES / "mspdi-calendars.xml")


class TestTheDocument:
    @pytest.mark.parametrize(
        "fixture",
        [
            "office-move.xml",
            "mspdi-resources.xml",
            "mspdi-details.xml",
            "mspdi-legacy-fields.xml",
            "mspdi-calendars.xml",
        ],
    )
    def test_the_plan_is_what_read_mspdi_reads(self, fixture: str) -> None:
        path = FIXTURES / fixture
        whole, plan_only = read_mspdi_document(path), read_mspdi(path)
        assert whole.format == "mspdi"
        assert whole.plan == plan_only.plan
        assert (whole.null_tasks, whole.save_version) == (
            plan_only.null_tasks,
            plan_only.save_version,
        )
        assert set(plan_only.warnings) <= set(whole.warnings)

    def test_counts(self, resources: ProjectDocument) -> None:
        assert resources.counts() == {
            "tasks": 2,
            "links": 1,
            "resources": 4,
            "assignments": 4,
            "calendars": 2,
        }
        assert resources.null_tasks == 1

    def test_properties(self, details: ProjectDocument) -> None:
        assert details.properties == {
            "Name": "harbour-kiosk.xml",
            "GUID": "5B1E2C3D-4F50-4617-8293-A4B5C6D7E8F9",
            "Title": "Harbour kiosk",
            "Subject": "A kiosk for the ferry terminal",
            "Category": "Retail",
            "Company": "Quayside Works",
            "Manager": "Ines Moreau",
            "Author": "Tomas Berg",
            "CreationDate": "2026-01-12T09:30:00",
            "Revision": "7",
            "LastSaved": "2026-02-03T16:45:00",
        }
        assert (details.plan.currency_code, details.plan.currency_symbol) == ("SEK", "kr")

    def test_a_minimal_file_has_no_details(self) -> None:
        empty = document(task_xml(1))
        assert empty.task_details == {}
        assert (empty.resources, empty.assignments, empty.custom_fields) == ((), (), ())
        assert empty.properties == {}


class TestTaskDetails:
    def test_work_and_costs(self, details: ProjectDocument) -> None:
        foundations = details.details(10)
        assert (
            foundations.work_minutes,
            foundations.actual_work_minutes,
            foundations.remaining_work_minutes,
        ) == (4800, 4800, 0)
        # MSPDI costs are hundredths of the currency unit.
        assert foundations.cost == Decimal("41500.75")
        assert foundations.actual_cost == Decimal("41500.75")
        assert foundations.fixed_cost == Decimal("1500.00")

    def test_project_summary_task_details_are_kept_under_uid_0(
        self, details: ProjectDocument
    ) -> None:
        summary = details.details(0)
        assert (summary.work_minutes, summary.cost) == (12000, Decimal("98750.50"))

    def test_task_type_and_effort_driven(self, details: ProjectDocument) -> None:
        assert [details.details(uid).task_type for uid in (10, 11, 12)] == [
            "fixed_units",
            "fixed_work",
            None,
        ]
        assert [details.details(uid).effort_driven for uid in (10, 11, 12)] == [True, False, None]

    def test_manually_scheduled_task(self, details: ProjectDocument) -> None:
        fit_out = details.plan.task(11)
        assert fit_out.manual
        assert fit_out.estimated
        extra = details.details(11)
        assert (extra.manual_start, extra.manual_finish, extra.manual_duration_minutes) == (
            datetime(2026, 3, 10, 8),
            datetime(2026, 3, 16, 12),
            2160,
        )

    def test_identity_and_hyperlink(self, details: ProjectDocument) -> None:
        foundations = details.details(10)
        assert foundations.guid == "0A1B2C3D-0000-4000-8000-00000000000A"
        assert foundations.hyperlink == "Site survey"
        assert foundations.hyperlink_address == "https://example.org/survey?site=kiosk&rev=2"
        assert details.plan.task(10).notes == "Pour on a dry day <check the forecast>."

    def test_external_task(self, details: ProjectDocument) -> None:
        signs = details.details(12)
        assert signs.external
        assert signs.external_project == r"\\fileserver\plans\terminal.mpp\42"
        assert not details.details(10).external

    def test_baselines_in_number_order_with_only_what_is_set(
        self, details: ProjectDocument
    ) -> None:
        assert details.details(10).baselines == (
            BaselineValues(
                0,
                start=datetime(2026, 3, 2, 8),
                finish=datetime(2026, 3, 5, 17),
                duration_minutes=1920,
                duration_format="d",
                work_minutes=3840,
                cost=Decimal("38000.00"),
            ),
            BaselineValues(1, cost=Decimal("39000.00")),
            # An elapsed baseline duration: 72 hours are three 24-hour days.
            BaselineValues(
                10, start=datetime(2026, 2, 23, 8), duration_minutes=4320, duration_format="ed"
            ),
        )

    def test_links_with_negative_percentage_and_cross_project_lags(
        self, details: ProjectDocument
    ) -> None:
        lags = {
            (link.predecessor_uid, link.successor_uid): (
                link.type,
                link.lag_minutes,
                link.lag_format,
                link.lag_percent,
                link.cross_project,
            )
            for link in details.plan.links
        }
        assert lags == {
            (10, 11): ("FS", -240, "h", None, False),
            (11, 12): ("SS", 0, "%", 50.0, False),
            (42, 12): ("FF", 1440, "ed", None, True),
        }


class TestCustomFields:
    def test_definitions_with_aliases(self, details: ProjectDocument) -> None:
        fields = {field.key: field for field in details.custom_fields}
        assert fields["Text1"] == CustomField("Text1", "task", "text", "Work package", 188743731)
        assert fields["OutlineCode1"].kind == "outline_code"
        assert fields["OutlineCode1"].label == "Cost centre"
        assert fields["Start1"].label == "Start1"
        # A definition no value uses is still a definition.
        assert "Text2" in fields

    def test_values_are_converted_by_kind(self, details: ProjectDocument) -> None:
        assert details.details(10).custom_values == (
            CustomValue("Text1", "WP-01"),
            CustomValue("Number1", Decimal("3.75")),
            CustomValue("Cost1", Decimal("1250.50")),
            CustomValue("Date1", datetime(2026, 3, 9, 10)),
            CustomValue("Start1", datetime(2026, 3, 2, 8)),
            CustomValue("Finish1", datetime(2026, 3, 6, 17)),
            CustomValue("Duration1", 2880, "ed"),
            CustomValue("Flag1", True),
            CustomValue("OutlineCode1", "OPS.CIVIL"),
        )
        assert CustomValue("Flag1", False) in details.details(11).custom_values

    def test_values_without_definitions_get_microsoft_project_keys(
        self, legacy: ProjectDocument
    ) -> None:
        assert legacy.details(1).custom_values[:3] == (
            CustomValue("Text1", "Groundwork"),
            # A 7.5-hour day: the project has 450 minutes a day.
            CustomValue("Duration2", 450, "d"),
            CustomValue("Cost2", Decimal("49.99")),
        )
        assert legacy.resources[0].custom_values == (
            CustomValue("Text2", "Volunteer"),
            CustomValue("Cost1", Decimal("15.00")),
        )
        assert legacy.assignments[0].custom_values == (
            CustomValue("Flag1", True),
            CustomValue("Date1", datetime(2026, 5, 7, 12)),
        )
        implicit = {(field.owner, field.key): field for field in legacy.custom_fields}
        assert implicit["resource", "Text2"] == CustomField(
            "Text2", "resource", "text", "", 205520905
        )
        assert implicit["assignment", "Flag1"].field_id == 255852667

    def test_an_unknown_field_is_read_as_text_with_a_warning(self, legacy: ProjectDocument) -> None:
        assert CustomValue("Field 190873600", "North plot") in legacy.details(1).custom_values
        assert (
            "Task 1: the custom field 190873600 is not defined in the file; its values are read "
            "as text"
        ) in legacy.warnings

    def test_unreadable_values_are_skipped_with_a_warning(self, legacy: ProjectDocument) -> None:
        keys = [value.key for value in legacy.details(1).custom_values]
        assert "Number2" not in keys
        assert "Start2" not in keys
        assert (
            "Task 1: the custom field Number2 has the value 'lots', which is not a number value; "
            "ignored"
        ) in legacy.warnings
        assert (
            "Task 1: the custom field Start2 has no Value (only a lookup table reference); ignored"
        ) in legacy.warnings

    def test_outline_code_elements_are_reported(self, legacy: ProjectDocument) -> None:
        assert any("OutlineCode elements" in warning for warning in legacy.warnings)

    def test_an_enterprise_field_definition_names_its_owner_and_kind(self) -> None:
        read = document(
            "<ExtendedAttributes><ExtendedAttribute><FieldID>190873601</FieldID>"
            "<FieldName>Budget line</FieldName><CFType>0</CFType><ElemType>20</ElemType>"
            "</ExtendedAttribute></ExtendedAttributes><Tasks>"
            + task_xml(
                1,
                "<ExtendedAttribute><FieldID>190873601</FieldID><Value>2550</Value>"
                "</ExtendedAttribute>",
            )
            + "</Tasks>"
        )
        assert read.custom_fields == (CustomField("Budget line", "task", "cost", "", 190873601),)
        assert read.details(1).custom_values == (CustomValue("Budget line", Decimal("25.50")),)


class TestBaselineWarnings:
    def test_a_repeated_or_impossible_baseline_number(self, legacy: ProjectDocument) -> None:
        assert legacy.details(1).baselines == (
            BaselineValues(0, duration_minutes=900, duration_format="d"),
        )
        assert "Task 1: baseline 0 appears twice; the first is kept" in legacy.warnings
        assert "Task 1: a baseline has Number 11, not 0 to 10; ignored" in legacy.warnings


class TestResources:
    def test_the_unnamed_resource_0_and_blank_resources_are_skipped_silently(
        self, resources: ProjectDocument
    ) -> None:
        assert [resource.uid for resource in resources.resources] == [1, 2, 3, 4]
        assert not any("Resource" in warning for warning in resources.warnings)

    def test_a_named_resource_0_is_kept(self) -> None:
        read = document("<Resources>" + resource_xml(0, "<Name>Unassigned</Name>") + "</Resources>")
        assert [resource.name for resource in read.resources] == ["Unassigned"]

    def test_the_three_kinds(self, resources: ProjectDocument) -> None:
        kinds = {resource.name: resource.kind for resource in resources.resources}
        assert kinds == {
            "Noor Haddad": "work",
            "Floor tiles": "material",
            "Skip hire": "cost",
            "Electrician": "work",
        }
        assert document(
            "<Resources>" + resource_xml(1, "<Name>Fees</Name><Type>2</Type>") + "</Resources>"
        ).resources[0].kind == ("cost")

    def test_a_work_resource(self, resources: ProjectDocument) -> None:
        noor = resources.resources[0]
        assert (noor.initials, noor.code, noor.group, noor.email) == (
            "NH",
            "TIL-01",
            "Tilers",
            "noor.haddad@example.org",
        )
        assert noor.max_units == Decimal("0.5")
        assert (noor.work_minutes, noor.actual_work_minutes) == (1440, 480)
        assert (noor.cost, noor.actual_cost, noor.cost_per_use) == (
            Decimal("1080.00"),
            Decimal("360.00"),
            Decimal("25.00"),
        )
        assert noor.calendar_uid == 2
        assert noor.notes == "Prefers early starts."
        assert noor.guid == "3F2B8C10-7A41-4E0B-9C55-0B1D2E3F4A51"
        assert noor.baselines == (BaselineValues(0, work_minutes=960, cost=Decimal("720.00")),)
        assert noor.custom_values == (CustomValue("Text1", "Tiling"),)

    def test_rates_are_per_hour_in_the_file_whatever_their_unit(
        self, resources: ProjectDocument
    ) -> None:
        noor, tiles, _, electrician = resources.resources
        # 45 an hour shown per day: 8 hours a day.
        assert (noor.standard_rate, noor.standard_rate_unit) == (Decimal("360"), "d")
        assert (noor.overtime_rate, noor.overtime_rate_unit) == (Decimal("60"), "h")
        # 50 an hour per month (20 days of 8 hours) and per year (52 weeks of 40 hours).
        assert (electrician.standard_rate, electrician.standard_rate_unit) == (
            Decimal("8000"),
            "mo",
        )
        assert (electrician.overtime_rate, electrician.overtime_rate_unit) == (
            Decimal("104000"),
            "y",
        )
        # A material's rate is per unit of the material, written with an hourly format.
        assert (tiles.standard_rate, tiles.material_label) == (Decimal("32.5"), "m2")

    @pytest.mark.parametrize(
        ("code", "unit", "rate"),
        [(1, "m", "0.5"), (2, "h", "30"), (3, "d", "225"), (4, "w", "1125"), (5, "mo", "4500")],
    )
    def test_rate_units_use_the_project_settings(self, code: int, unit: str, rate: str) -> None:
        read = document(
            "<MinutesPerDay>450</MinutesPerDay><MinutesPerWeek>2250</MinutesPerWeek>"
            "<Resources>"
            + resource_xml(
                1,
                f"<Name>R</Name><StandardRate>30</StandardRate>"
                f"<StandardRateFormat>{code}</StandardRateFormat>",
            )
            + "</Resources>"
        )
        resource = read.resources[0]
        assert (resource.standard_rate, resource.standard_rate_unit) == (Decimal(rate), unit)

    def test_generic_resource(self, resources: ProjectDocument) -> None:
        assert [resource.generic for resource in resources.resources] == [
            False,
            False,
            False,
            True,
        ]

    def test_a_resource_calendar_missing_from_the_file(self) -> None:
        read = document(
            "<Resources>"
            + resource_xml(1, "<Name>R</Name><CalendarUID>9</CalendarUID>")
            + "</Resources>"
        )
        assert read.resources[0].calendar_uid is None
        assert read.warnings == ("Resource 1: the calendar 9 is not in the file; ignored",)

    def test_a_resource_without_a_uid(self) -> None:
        with pytest.raises(PlanFileError, match=r"plan\.xml, line 1: a resource has no UID"):
            document("<Resources><Resource><Name>R</Name></Resource></Resources>")

    def test_a_resource_uid_used_twice(self) -> None:
        with pytest.raises(PlanFileError, match="Resource 1: the UID is used twice"):
            document(
                "<Resources>"
                + resource_xml(1, "<Name>A</Name>")
                + resource_xml(1, "<Name>B</Name>")
                + "</Resources>"
            )

    def test_a_rate_that_is_not_a_number(self) -> None:
        with pytest.raises(PlanFileError, match="Resource 1: StandardRate 'cheap' is not a number"):
            document(
                "<Resources>"
                + resource_xml(1, "<Name>A</Name><StandardRate>cheap</StandardRate>")
                + "</Resources>"
            )


class TestAssignments:
    def test_an_assignment(self, resources: ProjectDocument) -> None:
        assert resources.assignments[0] == DocumentAssignment(
            uid=2,
            task_uid=2,
            resource_uid=1,
            units=Decimal("0.5"),
            work_minutes=1440,
            actual_work_minutes=480,
            remaining_work_minutes=960,
            cost=Decimal("1080.00"),
            actual_cost=Decimal("360.00"),
            start=datetime(2026, 4, 8, 8),
            finish=datetime(2026, 4, 10, 17),
            actual_start=datetime(2026, 4, 8, 8),
            work_contour=0,
            guid="9D0C3A77-15E2-4B8D-A2F1-6C7E8F901234",
            baselines=(
                BaselineValues(
                    0,
                    start=datetime(2026, 4, 8, 8),
                    finish=datetime(2026, 4, 9, 17),
                    work_minutes=960,
                    cost=Decimal("720.00"),
                ),
            ),
            custom_values=(CustomValue("Number1", Decimal("12")),),
        )

    def test_a_material_quantity_and_a_cost_item(self, resources: ProjectDocument) -> None:
        by_uid = {assignment.uid: assignment for assignment in resources.assignments}
        assert by_uid[3].units == Decimal("24")
        assert by_uid[4].cost == Decimal("180.00")

    def test_placeholders_for_no_resource_are_skipped_silently(
        self, resources: ProjectDocument
    ) -> None:
        assert 1 not in {assignment.uid for assignment in resources.assignments}
        assert not any("Assignment 1:" in warning for warning in resources.warnings)

    def test_assignments_to_missing_tasks_or_resources_are_skipped_with_a_warning(
        self, resources: ProjectDocument
    ) -> None:
        assert resources.warnings == (
            "Assignment 6: its task 9 is not in the file; skipped",
            "Assignment 7: its resource 8 is not in the file; skipped",
            "Assignment 8: its task 3 is a blank row; skipped",
        )

    def test_an_assignment_to_the_project_summary_task(self) -> None:
        read = document(
            "<Tasks><Task><UID>0</UID><ID>0</ID><OutlineLevel>0</OutlineLevel></Task></Tasks>"
            "<Resources>" + resource_xml(1, "<Name>R</Name>") + "</Resources>"
            "<Assignments><Assignment><UID>1</UID><TaskUID>0</TaskUID><ResourceUID>1</ResourceUID>"
            "</Assignment></Assignments>"
        )
        assert read.assignments == ()
        assert read.warnings == ("Assignment 1: its task is the project summary task; skipped",)

    def test_an_assignment_uid_used_twice(self) -> None:
        with pytest.raises(PlanFileError, match="Assignment 4: the UID is used twice"):
            document(
                "<Assignments>"
                + "<Assignment><UID>4</UID><TaskUID>1</TaskUID><ResourceUID>1</ResourceUID>"
                "</Assignment>" * 2 + "</Assignments>"
            )


class TestCalendars:
    def test_recurring_exceptions_keep_the_bound_the_author_entered(
        self, calendars: ProjectDocument
    ) -> None:
        review, festival = calendars.plan.calendars_by_uid[1].calendar.recurring
        # Entered as "end after 4 occurrences": the end date is derived, so it is left out.
        assert review.rule == MonthlyByWeekday(weekday=0, position=1)
        assert (review.first, review.last, review.count) == (date(2026, 1, 1), None, 4)
        # Entered as "end by": the number of occurrences is derived.
        assert festival.rule == YearlyByDate(8, 14)
        assert (festival.first, festival.last, festival.count) == (
            date(2026, 1, 1),
            date(2028, 12, 31),
            None,
        )

    def test_both_encodings_are_read_once(self, calendars: ProjectDocument) -> None:
        standard = calendars.plan.calendars_by_uid[1].calendar
        assert [exception.name for exception in standard.exceptions] == [
            "Winter closure",
            "Stock take",
        ]
        assert standard.periods_on(date(2026, 6, 13)) == (WorkingPeriod(540, 780),)

    def test_a_resource_calendar_points_at_its_calendar(self, calendars: ProjectDocument) -> None:
        ada = calendars.resources[0]
        assert ada.calendar_uid == 3
        calendar = calendars.plan.calendars_by_uid[3].calendar
        assert calendar.periods_on(date(2026, 6, 9)) == ()
        assert calendar.periods_on(date(2026, 6, 19)) == (WorkingPeriod(480, 720),)


class TestSafetyAndShapes:
    def test_an_entity_bomb_is_refused(self) -> None:
        bomb = (
            b'<?xml version="1.0"?>\n<!DOCTYPE Project [\n<!ENTITY a "aaaaaaaaaa">\n'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n]>\n'
            b'<Project xmlns="http://schemas.microsoft.com/project"><Name>&b;</Name></Project>'
        )
        with pytest.raises(PlanFileError, match="declares a document type"):
            read_mspdi_document(bomb)

    def test_truncated_xml(self) -> None:
        content = (FIXTURES / "mspdi-resources.xml").read_bytes()[:-400]
        with pytest.raises(PlanFileError, match="malformed XML"):
            read_mspdi_document(content, name="cut.xml")

    def test_windows_1252_is_read_with_a_warning(self) -> None:
        content = (
            f'<Project xmlns="{NAMESPACE}"><Resources>'
            + resource_xml(1, "<Name>Zoë Café</Name>")
            + "</Resources></Project>"
        ).encode("windows-1252")
        read = read_mspdi_document(content)
        assert read.resources[0].name == "Zoë Café"
        assert read.warnings[0] == "the file is not valid UTF-8; it was read as Windows-1252"

    def test_reads_from_an_open_binary_file(self) -> None:
        stream = io.BytesIO((FIXTURES / "mspdi-resources.xml").read_bytes())
        assert read_mspdi_document(stream).counts()["resources"] == 4

    @pytest.mark.parametrize("piece_bytes", [1, 50, 700])
    @pytest.mark.parametrize(
        "fixture", ["mspdi-resources.xml", "mspdi-details.xml", "mspdi-legacy-fields.xml"]
    )
    def test_reading_in_pieces_gives_what_one_pass_gives(
        self, fixture: str, piece_bytes: int, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        content = (FIXTURES / fixture).read_bytes()
        with monkeypatch.context() as patch:
            patch.setattr(mspdi, "_may_read_in_pieces", lambda head: False)
            one_pass = read_mspdi_document(content)
        monkeypatch.setattr(mspdi, "_PIECE_BYTES", piece_bytes)
        reader = mspdi._Reader("the file", "", full=True)
        result = reader.read_in_pieces(io.BytesIO(content))
        assert result.plan == one_pass.plan
        assert reader.extras.resources == one_pass.resources
        assert reader.extras.assignments == one_pass.assignments
        assert reader.extras.task_details == one_pass.task_details
        assert reader.extras.custom_fields == one_pass.custom_fields
        assert tuple(result.warnings) == one_pass.warnings
