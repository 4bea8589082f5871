"""Writing formatted Excel workbooks."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from pilotage.interop import xlsx
from pilotage.interop.tabular import TARGETS, ExcelPercent, convert_rows, read_table
from pilotage.interop.xlsx import Column, Row, Sheet, sheet_title, write_xlsx

COLUMNS = [
    Column("Name"),
    Column("Tasks", "integer"),
    Column("Effort", "decimal"),
    Column("Cost", "money", currency="EUR"),
    Column("Done", "percent"),
    Column("Start", "date"),
    Column("Updated", "datetime"),
    Column("Duration", "duration_days"),
    Column("Critical", "boolean"),
]
ROWS: list[list[Any]] = [
    [
        "Design",
        12,
        Decimal("3.5"),
        Decimal("1200.50"),
        0.25,
        date(2026, 3, 2),
        datetime(2026, 3, 2, 8, 30),
        2.5,
        True,
    ],
    ["Build", None, 1.25, 99, 1, None, None, 10, False],
]


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def values(sheet: Any) -> list[list[Any]]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def write_both_ways(
    monkeypatch: pytest.MonkeyPatch, sheets: list[Sheet], **options: Any
) -> tuple[openpyxl.Workbook, openpyxl.Workbook]:
    """The workbook written normally, and written streaming (the row threshold lowered)."""
    normal = load(write_xlsx(sheets, **options))
    with monkeypatch.context() as patch:
        patch.setattr(xlsx, "WRITE_ONLY_ROWS", 1)
        streamed = load(write_xlsx(sheets, **options))
    return normal, streamed


class TestValues:
    @pytest.mark.parametrize("streaming", [False, True], ids=["normal", "streaming"])
    def test_values_come_back_with_their_types_and_formats(
        self, monkeypatch: pytest.MonkeyPatch, streaming: bool
    ) -> None:
        if streaming:
            monkeypatch.setattr(xlsx, "WRITE_ONLY_ROWS", 1)
        sheet = load(write_xlsx([Sheet("Plan", COLUMNS, ROWS)], yes_label="Oui", no_label="Non"))[
            "Plan"
        ]
        assert values(sheet) == [
            [
                "Name",
                "Tasks",
                "Effort",
                "Cost (EUR)",
                "Done",
                "Start",
                "Updated",
                "Duration",
                "Critical",
            ],
            [
                "Design",
                12,
                3.5,
                1200.5,
                0.25,
                datetime(2026, 3, 2),
                datetime(2026, 3, 2, 8, 30),
                2.5,
                "Oui",
            ],
            ["Build", None, 1.25, 99, 1, None, None, 10, "Non"],
        ]
        formats = [cell.number_format for cell in sheet[2]]
        assert formats == [
            "General",
            "#,##0",
            "#,##0.00",
            "#,##0.00",
            "0%",
            "yyyy-mm-dd",
            "yyyy-mm-dd hh:mm",
            "0.0#",
            "General",
        ]

    def test_a_date_in_a_datetime_column_and_aware_times_keep_their_wall_clock(self) -> None:
        paris = timezone(timedelta(hours=1))
        data = write_xlsx(
            [
                Sheet(
                    "T",
                    [Column("When", "datetime")],
                    [[date(2026, 3, 2)], [datetime(2026, 3, 2, 9, tzinfo=paris)]],
                )
            ]
        )
        sheet = load(data).active
        assert [sheet["A2"].value, sheet["A3"].value] == [
            datetime(2026, 3, 2),
            datetime(2026, 3, 2, 9),
        ]

    def test_short_rows_leave_the_last_cells_empty_and_long_rows_are_refused(self) -> None:
        sheet = load(write_xlsx([Sheet("T", [Column("A"), Column("B")], [["x"]])])).active
        assert values(sheet) == [["A", "B"], ["x", None]]
        with pytest.raises(ValueError, match="A row has 3 values but the sheet has 2 columns"):
            write_xlsx([Sheet("T", [Column("A"), Column("B")], [["x", "y", "z"]])])

    @pytest.mark.parametrize("streaming", [False, True], ids=["normal", "streaming"])
    @pytest.mark.parametrize(
        "text", ["=1+1", "+33 1 23 45 67 89", "-2", "@SUM(A1:A2)", "=cmd|'/c'"]
    )
    def test_text_that_looks_like_a_formula_is_written_as_quoted_text(
        self, monkeypatch: pytest.MonkeyPatch, streaming: bool, text: str
    ) -> None:
        if streaming:
            monkeypatch.setattr(xlsx, "WRITE_ONLY_ROWS", 1)
        data = write_xlsx([Sheet("T", [Column("Note")], [[text], ["plain"]])])
        cell = load(data).active["A2"]
        assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)
        assert not load(data).active["A3"].quotePrefix
        sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
        assert b"<f>" not in sheet_xml

    def test_characters_xml_cannot_hold_are_dropped_and_long_text_is_cut(self) -> None:
        data = write_xlsx([Sheet("T", [Column("Note")], [["bell\x07 here"], ["x" * 40_000]])])
        sheet = load(data).active
        assert sheet["A2"].value == "bell here"
        assert len(sheet["A3"].value) == 32_767

    def test_a_value_of_another_type_than_its_column_is_written_as_it_is(self) -> None:
        sheet = load(
            write_xlsx(
                [Sheet("T", [Column("Cost", "money"), Column("Flag", "boolean")], [["n/a", 1]])]
            )
        ).active
        assert (sheet["A2"].value, sheet["B2"].value) == ("n/a", 1)


class TestLayout:
    @pytest.mark.parametrize("streaming", [False, True], ids=["normal", "streaming"])
    def test_the_header_is_bold_filled_bordered_frozen_and_filtered(
        self, monkeypatch: pytest.MonkeyPatch, streaming: bool
    ) -> None:
        if streaming:
            monkeypatch.setattr(xlsx, "WRITE_ONLY_ROWS", 1)
        sheet = load(write_xlsx([Sheet("Plan", COLUMNS, ROWS)]))["Plan"]
        for cell in sheet[1]:
            assert cell.font.bold
            assert cell.fill.fill_type == "solid"
            assert cell.border.bottom.style == "medium"
        assert not sheet["A2"].font.bold
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == "A1:I3"
        assert sheet.print_title_rows == "$1:$1"

    def test_columns_are_as_wide_as_their_content_within_bounds(self) -> None:
        rows = [["a", "x" * 30, "y" * 500, 1]]
        columns = [Column("ID"), Column("Title"), Column("Notes"), Column("Fixed", width=22)]
        sheet = load(write_xlsx([Sheet("T", columns, rows)])).active
        widths = [sheet.column_dimensions[letter].width for letter in "ABCD"]
        assert widths[0] < widths[1] < widths[2]
        assert widths[0] >= len("ID")
        assert widths[1] >= 30
        assert widths[2] == 60
        assert widths[3] == 22

    @pytest.mark.parametrize("streaming", [False, True], ids=["normal", "streaming"])
    def test_a_work_breakdown_exports_with_outline_levels(
        self, monkeypatch: pytest.MonkeyPatch, streaming: bool
    ) -> None:
        if streaming:
            monkeypatch.setattr(xlsx, "WRITE_ONLY_ROWS", 1)
        rows = [
            Row(["1", "Phase"], level=0),
            Row(["1.1", "Step"], level=1),
            Row(["1.1.1", "Detail"], level=2),
            ["2", "Phase 2"],
            Row(["2.1", "Deep"], level=12),
        ]
        sheet = load(write_xlsx([Sheet("WBS", [Column("WBS"), Column("Name")], rows)]))["WBS"]
        levels = [sheet.row_dimensions[number].outline_level for number in range(2, 7)]
        assert levels == [0, 1, 2, 0, 7]
        assert sheet.sheet_properties.outlinePr.summaryBelow is False

    def test_sheet_titles_follow_excel_rules(self) -> None:
        workbook = load(
            write_xlsx(
                [
                    Sheet("Tasks", [Column("A")]),
                    Sheet("tasks", [Column("A")]),
                    Sheet("Budget: 2026/2027 [v2]?", [Column("A")]),
                    Sheet("'Quoted'", [Column("A")]),
                    Sheet("History", [Column("A")]),
                    Sheet("", [Column("A")]),
                    Sheet("A title much longer than thirty-one characters", [Column("A")]),
                ]
            )
        )
        assert workbook.sheetnames == [
            "Tasks",
            "tasks (2)",
            "Budget 2026 2027 v2",
            "Quoted",
            "History (1)",
            "Sheet",
            "A title much longer than thirty",
        ]
        assert all(len(name) <= 31 for name in workbook.sheetnames)

    def test_unique_titles_stay_within_31_characters(self) -> None:
        long = "x" * 40
        first = sheet_title(long)
        second = sheet_title(long, used=[first])
        assert (len(first), len(second)) == (31, 31)
        assert second.endswith(" (2)")

    def test_document_properties(self) -> None:
        data = write_xlsx(
            [Sheet("T", [Column("A")])],
            title="Office move",
            properties={"subject": "Plan", "keywords": "move, office", "Project code": "OM-1"},
        )
        workbook = load(data)
        assert workbook.properties.title == "Office move"
        assert workbook.properties.creator == "Pilotage"
        assert workbook.properties.subject == "Plan"
        assert workbook.properties.keywords == "move, office"
        custom = {prop.name: prop.value for prop in workbook.custom_doc_props.props}
        assert custom == {"Project code": "OM-1"}

    def test_a_workbook_needs_a_sheet(self) -> None:
        with pytest.raises(ValueError, match="at least one sheet"):
            write_xlsx([])


class TestLargeSheets:
    def test_a_large_generated_sheet_is_streamed_with_the_same_content(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def rows() -> Iterator[Row]:
            for number in range(25):
                yield Row(
                    [number, f"=task {number}", date(2026, 3, 2) + timedelta(days=number), 0.5],
                    level=number % 3,
                )

        columns = [
            Column("ID", "integer"),
            Column("Name"),
            Column("Start", "date"),
            Column("Done", "percent"),
        ]
        normal, streamed = write_both_ways(
            monkeypatch, [Sheet("Plan", columns, list(rows())), Sheet("Other", [Column("X")])]
        )
        monkeypatch.setattr(xlsx, "WRITE_ONLY_ROWS", 10)
        generated = load(
            write_xlsx([Sheet("Plan", columns, rows()), Sheet("Other", [Column("X")])])
        )
        for workbook in (streamed, generated):
            assert workbook.sheetnames == normal.sheetnames
            for name in normal.sheetnames:
                expected, actual = normal[name], workbook[name]
                assert values(actual) == values(expected)
                assert [
                    (cell.number_format, cell.quotePrefix, cell.font.bold)
                    for row in actual.iter_rows()
                    for cell in row
                ] == [
                    (cell.number_format, cell.quotePrefix, cell.font.bold)
                    for row in expected.iter_rows()
                    for cell in row
                ]
                assert actual.auto_filter.ref == expected.auto_filter.ref
                assert actual.freeze_panes == expected.freeze_panes
                assert [actual.row_dimensions[number].outline_level for number in range(2, 27)] == [
                    expected.row_dimensions[number].outline_level for number in range(2, 27)
                ]


def test_an_export_reads_back_through_the_table_import() -> None:
    data = write_xlsx(
        [
            Sheet(
                "Tasks",
                [
                    Column("Name"),
                    Column("Start", "datetime"),
                    Column("% Complete", "percent"),
                    Column("Cost", "money", currency="EUR"),
                    Column("Milestone", "boolean"),
                ],
                [
                    ["=Design", datetime(2026, 3, 2, 8), 0.5, Decimal("1200.50"), False],
                    ["Go-live", datetime(2026, 3, 9, 17), 1, 0, True],
                ],
            )
        ],
        yes_label="Oui",
        no_label="Non",
    )
    table = read_table(data, name="export.xlsx")
    assert isinstance(table.rows[0].cells[2], ExcelPercent)
    target = TARGETS["tasks"]
    result = convert_rows(
        table, {0: "name", 1: "start", 2: "percent_complete", 3: "cost", 4: "milestone"}, target
    )
    assert result.errors == []
    assert [record.values for record in result.records] == [
        {
            "name": "=Design",
            "start": datetime(2026, 3, 2, 8),
            "percent_complete": Decimal("0.5"),
            "cost": Decimal("1200.5"),
            "milestone": False,
        },
        {
            "name": "Go-live",
            "start": datetime(2026, 3, 9, 17),
            "percent_complete": Decimal("1"),
            "cost": Decimal("0"),
            "milestone": True,
        },
    ]


def test_datetimes_with_utc_are_written_without_their_zone() -> None:
    data = write_xlsx(
        [Sheet("T", [Column("When", "datetime")], [[datetime(2026, 3, 2, 9, tzinfo=UTC)]])]
    )
    assert load(data).active["A2"].value == datetime(2026, 3, 2, 9)
