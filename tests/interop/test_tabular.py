"""Importing tables of tasks and resources from Excel workbooks and CSV files."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pilotage.interop import tabular
from pilotage.interop.document import ProjectDocument
from pilotage.interop.errors import PlanFileError
from pilotage.interop.tabular import (
    TARGETS,
    Choice,
    ConversionResult,
    Duration,
    ExcelPercent,
    ImportRowsError,
    ImportTarget,
    Predecessor,
    Rate,
    Table,
    TargetField,
    check_mapping,
    convert_rows,
    guess_mapping,
    mapping_from_headers,
    mapping_to_headers,
    read_table,
    register_target,
    resources_document,
    tasks_document,
)
from pilotage.interop.text import CSV_FIELD_LIMIT

FIXTURES = Path(__file__).parent / "fixtures"
TASKS = TARGETS["tasks"]
RESOURCES = TARGETS["resources"]


def csv_table(text: str, name: str = "table.csv") -> Table:
    return read_table(text.encode("utf-8"), name=name)


def workbook_bytes(*sheets: tuple[str, list[list[Any]]], hidden: tuple[str, ...] = ()) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if title in hidden:
            sheet.sheet_state = "hidden"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def convert_one(key: str, cell: Any, target: ImportTarget = TASKS, **options: Any) -> Any:
    """The value a single cell of a field gives, or the error message."""
    header = target.field(key).label
    table = Table("t.csv", None, [], ["Name", header], [tabular.TableRow(2, ("Task", cell))])
    result = convert_rows(table, {0: "name", 1: key}, target, **options)
    if result.errors:
        return result.errors[0].message
    return result.records[0].values.get(key)


def import_tasks(text: str, **options: Any) -> ProjectDocument:
    table = csv_table(text)
    mapping = guess_mapping(table.headers, TASKS)
    day_first = options.pop("day_first", True)
    result = convert_rows(table, mapping, TASKS, day_first=day_first)
    return tasks_document(result, name="Plan", source_format="csv", **options)


class TestReadingCsv:
    def test_the_header_is_the_first_row_that_is_not_blank_and_rows_keep_their_numbers(
        self,
    ) -> None:
        table = csv_table("\n;;\nName;Duration\nDesign;5d\n\n;\nBuild;3d\n")
        assert table.header_row == 3
        assert table.headers == ["Name", "Duration"]
        assert [(row.number, row.cells) for row in table.rows] == [
            (4, ("Design", "5d")),
            (7, ("Build", "3d")),
        ]

    def test_a_cell_over_several_lines_is_one_row(self) -> None:
        table = csv_table('Name,Notes\nDesign,"first line\nsecond, line"\nBuild,x\n')
        assert [row.number for row in table.rows] == [2, 3]
        assert table.rows[0].cells[1] == "first line\nsecond, line"

    def test_french_excel_csv_in_windows_1252_with_semicolons(self) -> None:
        table = read_table(FIXTURES.joinpath("table-msproject-fr.csv").read_bytes(), name="fr.csv")
        assert (table.encoding, table.delimiter) == ("cp1252", ";")
        assert table.headers[1] == "Nom de la tâche"
        assert table.sheet is None
        assert table.sheets == []

    def test_utf8_with_a_byte_order_mark(self) -> None:
        table = read_table(FIXTURES.joinpath("table-msproject-en.csv").read_bytes(), name="en.csv")
        assert table.encoding == "utf-8-sig"
        assert table.headers[0] == "ID"

    def test_excel_sep_line_names_the_separator_and_is_not_a_row(self) -> None:
        table = csv_table("sep=|\nName|Cost\nDesign|1,5\n")
        assert table.headers == ["Name", "Cost"]
        assert table.rows[0].cells == ("Design", "1,5")
        assert table.rows[0].number == 2

    def test_tab_separated_text_named_xls_is_read_as_a_table(self) -> None:
        table = read_table(b"Name\tDuration\nDesign\t5d\n", name="export.xls")
        assert table.headers == ["Name", "Duration"]

    def test_a_header_cell_left_blank_is_an_empty_header_and_rows_may_be_wider(self) -> None:
        table = csv_table("Name,,Cost\nDesign,x,3,extra\n")
        assert table.headers == ["Name", "", "Cost", ""]
        assert table.column_label(1) == "B"
        assert table.column_label(2) == "'Cost'"

    def test_an_empty_file_has_no_header_row(self) -> None:
        with pytest.raises(PlanFileError, match=r"empty\.csv: the file is empty"):
            read_table(b"\n ; \n", name="empty.csv")

    def test_too_many_rows_are_refused_with_a_clear_message(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(tabular, "MAX_ROWS", 3)
        with pytest.raises(PlanFileError, match=r"more than 3 rows, the limit"):
            csv_table("Name\n" + "".join(f"T{number}\n" for number in range(4)))
        assert len(csv_table("Name\nA\nB\nC\n").rows) == 3

    def test_broken_csv_names_the_row(self) -> None:
        with pytest.raises(PlanFileError, match=r"row 2 cannot be read as CSV"):
            read_table(b'Name,Notes\nA,"' + b"x" * (CSV_FIELD_LIMIT + 1) + b'"\n', name="big.csv")

    def test_a_long_cell_is_read(self) -> None:
        table = read_table(b'Name,Notes\nA,"' + b"x" * 200_000 + b'"\n', name="notes.csv")
        assert len(str(table.rows[0].cell(1))) == 200_000


class TestReadingWorkbooks:
    def test_cells_keep_their_excel_types(self) -> None:
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = "Plan"
        sheet.append(["Name", "Start", "Done", "Cost", "Count", "Flag", "Work"])
        sheet.append(["Design", datetime(2026, 3, 2, 8), 0.5, 1200.5, 3, True, timedelta(hours=30)])
        sheet["C2"].number_format = "0%"
        sheet["G2"].number_format = "[h]:mm"
        buffer = io.BytesIO()
        workbook.save(buffer)
        table = read_table(buffer.getvalue(), name="plan.xlsx")
        cells = table.rows[0].cells
        assert cells[0] == "Design"
        assert cells[1] == datetime(2026, 3, 2, 8)
        assert isinstance(cells[2], ExcelPercent)
        assert cells[2] == 0.5
        assert cells[3] == 1200.5
        assert not isinstance(cells[3], ExcelPercent)
        assert cells[4] == 3
        assert cells[5] is True
        assert cells[6] == timedelta(hours=30)
        assert (table.sheet, table.sheets) == ("Plan", ["Plan"])

    def test_rows_keep_their_sheet_numbers_when_the_table_does_not_start_at_a1(self) -> None:
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet["B3"] = "Name"
        sheet["C3"] = "Duration"
        sheet["B5"] = "Design"
        sheet["C5"] = "5d"
        sheet["B9"] = "Build"
        buffer = io.BytesIO()
        workbook.save(buffer)
        table = read_table(buffer.getvalue(), name="plan.xlsx")
        assert table.header_row == 3
        assert table.headers == ["", "Name", "Duration"]
        assert [(row.number, row.cells) for row in table.rows] == [
            (5, (None, "Design", "5d")),
            (9, (None, "Build")),
        ]

    def test_a_sheet_is_chosen_by_name_else_the_first_visible_one(self) -> None:
        data = workbook_bytes(
            ("Notes", [["Read me"]]),
            ("Tâches", [["Nom"], ["A"]]),
            ("Ressources", [["Nom"], ["Alice"]]),
            hidden=("Notes",),
        )
        assert read_table(data, name="p.xlsx").sheet == "Tâches"
        table = read_table(data, name="p.xlsx", sheet="ressources")
        assert (table.sheet, table.rows[0].cells) == ("Ressources", ("Alice",))
        assert table.sheets == ["Notes", "Tâches", "Ressources"]
        with pytest.raises(PlanFileError, match=r"no sheet 'Budget'; its sheets are 'Notes'"):
            read_table(data, name="p.xlsx", sheet="Budget")

    def test_formulas_give_the_value_excel_last_computed(self) -> None:
        data = workbook_bytes(("Plan", [["Name", "Cost"], ["A", "=2*3"]]))
        archive = zipfile.ZipFile(io.BytesIO(data))
        rewritten = io.BytesIO()
        with zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as copy:
            for item in archive.infolist():
                content = archive.read(item.filename)
                if item.filename == "xl/worksheets/sheet1.xml":
                    content = content.replace(b"<f>2*3</f><v></v>", b"<f>2*3</f><v>6</v>")
                copy.writestr(item, content)
        table = read_table(rewritten.getvalue(), name="p.xlsx")
        assert table.rows[0].cells == ("A", 6)

    def test_a_workbook_named_csv_is_read_as_a_workbook(self) -> None:
        data = workbook_bytes(("Plan", [["Name"], ["A"]]))
        assert read_table(data, name="plan.csv").sheet == "Plan"

    def test_a_macro_enabled_workbook_gives_its_values(self) -> None:
        data = workbook_bytes(("Plan", [["Name"], ["A"]]))
        assert read_table(data, name="plan.xlsm").rows[0].cells == ("A",)

    def test_an_old_xls_workbook_is_refused_with_what_to_do(self) -> None:
        data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
        with pytest.raises(PlanFileError, match=r"old\.xls: an Excel 97-2003 .* save it as"):
            read_table(data, name="old.xls")

    def test_an_html_table_saved_as_xls_is_refused(self) -> None:
        with pytest.raises(PlanFileError, match="HTML or XML spreadsheet"):
            read_table(b"<html><table><tr><td>A</td></tr></table></html>", name="report.xls")

    def test_text_named_xlsx_is_not_a_workbook(self) -> None:
        with pytest.raises(PlanFileError, match=r"plan\.xlsx: not an Excel workbook"):
            read_table(b"Name,Start\nA,B\n", name="plan.xlsx")

    def test_a_damaged_workbook_is_refused(self) -> None:
        data = workbook_bytes(("Plan", [["Name"], ["A"]]))
        with pytest.raises(PlanFileError, match=r"cut\.xlsx: not a readable Excel workbook"):
            read_table(data[: len(data) // 2], name="cut.xlsx")

    def test_an_archive_that_is_not_a_workbook_is_refused(self) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("readme.txt", "hello")
        with pytest.raises(PlanFileError, match=r"no xl/workbook\.xml"):
            read_table(buffer.getvalue(), name="x.xlsx")

    def test_opendocument_and_binary_workbooks_are_refused(self) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
            archive.writestr("content.xml", "<x/>")
        with pytest.raises(PlanFileError, match="OpenDocument spreadsheet"):
            read_table(buffer.getvalue(), name="plan.ods")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("xl/workbook.bin", b"\x00")
        with pytest.raises(PlanFileError, match=r"binary workbook \(\.xlsb\)"):
            read_table(buffer.getvalue(), name="plan.xlsb")

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            (
                lambda xml: xml.replace(
                    b"<worksheet",
                    b'<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
                    b"<worksheet",
                    1,
                ).replace(b"<t>A</t>", b"<t>&b;</t>"),
                "not a readable Excel workbook",
            ),
            (lambda xml: xml[: len(xml) // 2], "the sheet 'Plan' cannot be read"),
        ],
        ids=["entity expansion", "truncated sheet"],
    )
    def test_a_hostile_or_truncated_sheet_is_refused(self, change: Any, message: str) -> None:
        data = workbook_bytes(("Plan", [["Name"], ["A"]]))
        source = zipfile.ZipFile(io.BytesIO(data))
        rewritten = io.BytesIO()
        with zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as copy:
            for item in source.infolist():
                content = source.read(item.filename)
                if item.filename == "xl/worksheets/sheet1.xml":
                    content = change(content)
                copy.writestr(item, content)
        with pytest.raises(PlanFileError, match=message):
            read_table(rewritten.getvalue(), name="plan.xlsx")

    def test_a_workbook_that_declares_too_much_content_is_refused_before_reading(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(tabular, "MAX_UNCOMPRESSED_BYTES", 1024 * 1024)
        data = workbook_bytes(("Plan", [["Name"], ["A"]]))
        bomb = io.BytesIO(data)
        with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/media/filler.bin", bytes(3 * 1024 * 1024))
        assert len(bomb.getvalue()) < 100_000
        with pytest.raises(PlanFileError, match=r"declares 3 MiB .* limit of 1 MiB"):
            read_table(bomb.getvalue(), name="bomb.xlsx")
        assert read_table(data, name="plan.xlsx").rows[0].cells == ("A",)


MS_PROJECT_HEADERS = [
    ("Task Name", "Nom de la tâche", "name"),
    ("Duration", "Durée", "duration"),
    ("Start", "Début", "start"),
    ("Finish", "Fin", "finish"),
    ("Predecessors", "Prédécesseurs", "predecessors"),
    ("% Complete", "% achevé", "percent_complete"),
    ("Resource Names", "Noms ressources", "resource_names"),
    ("Outline Level", "Niveau hiérarchique", "outline_level"),
    ("WBS", "Code WBS", "wbs"),
    ("Notes", "Remarques", "notes"),
    ("Milestone", "Jalon", "milestone"),
    ("Work", "Travail", "work"),
    ("Cost", "Coût", "cost"),
    ("Deadline", "Échéance", "deadline"),
    ("Priority", "Priorité", "priority"),
    ("Constraint Type", "Type de contrainte", "constraint_type"),
    ("Constraint Date", "Date de contrainte", "constraint_date"),
    ("ID", "N°", "id"),
]
RESOURCE_HEADERS = [
    ("Resource Name", "Nom de la ressource", "name"),
    ("Type", "Type", "type"),
    ("Initials", "Initiales", "initials"),
    ("Group", "Groupe", "group"),
    ("Max. Units", "Capacité max.", "max_units"),
    ("Std. Rate", "Taux standard", "standard_rate"),
    ("Ovt. Rate", "Taux heures supp.", "overtime_rate"),
    ("Cost/Use", "Coût/Utilisation", "cost_per_use"),
    ("Email", "Adresse de messagerie", "email"),
    ("Base Calendar", "Calendrier de base", "base_calendar"),
    ("Code", "Code", "code"),
]


class TestGuessingTheMapping:
    @pytest.mark.parametrize("language", [0, 1], ids=["English", "French"])
    def test_microsoft_project_task_headers(self, language: int) -> None:
        headers = [entry[language] for entry in MS_PROJECT_HEADERS]
        mapping = guess_mapping(headers, TASKS)
        assert mapping == {index: entry[2] for index, entry in enumerate(MS_PROJECT_HEADERS)}

    @pytest.mark.parametrize("language", [0, 1], ids=["English", "French"])
    def test_microsoft_project_resource_headers(self, language: int) -> None:
        headers = [entry[language] for entry in RESOURCE_HEADERS]
        mapping = guess_mapping(headers, RESOURCES)
        assert mapping == {index: entry[2] for index, entry in enumerate(RESOURCE_HEADERS)}

    def test_case_accents_punctuation_and_spaces_do_not_matter(self) -> None:
        headers = ["  NOM de la TACHE ", "%achevé", "duree", "date_de_debut", "Pre-decesseurs"]
        assert guess_mapping(headers, TASKS) == {
            0: "name",
            1: "percent_complete",
            2: "duration",
            3: "start",
        }

    def test_each_field_takes_the_first_column_that_names_it(self) -> None:
        assert guess_mapping(["Name", "Task Name", "Début", "Start"], TASKS) == {
            0: "name",
            2: "start",
        }

    def test_a_unit_in_brackets_is_ignored_but_other_qualifiers_are_not(self) -> None:
        headers = ["Tâche", "Durée (jours)", "Coût (EUR)", "Travail [h]", "Start (baseline)"]
        assert guess_mapping(headers, TASKS) == {0: "name", 1: "duration", 2: "cost", 3: "work"}

    def test_unknown_columns_are_left_out(self) -> None:
        assert guess_mapping(["Colour", "Owner's mood", ""], TASKS) == {}

    def test_a_header_naming_two_fields_is_refused_when_the_target_is_defined(self) -> None:
        with pytest.raises(ValueError, match="the header 'start' names both"):
            ImportTarget(
                "x",
                "X",
                (
                    TargetField("start", "Start", "date"),
                    TargetField("begin", "Begin", "date", synonyms=("Start",)),
                ),
            )


class TestCheckingTheMapping:
    def test_a_right_mapping_has_no_problem(self) -> None:
        assert check_mapping({0: "name", 1: "duration"}, ["Task", "Length"], TASKS) == []

    def test_every_problem_is_named(self) -> None:
        problems = check_mapping(
            {"x": "name", 5: "start", 0: "duration", 1: "duration", 2: "colour"},
            ["Durée", "Length", "Paint"],
            TASKS,
        )
        assert problems == [
            "'x' is not a column number",
            "column 6 is not in the table, which has 3 columns",
            "'Duration' is mapped to two columns: 'Durée' and 'Length'",
            "'colour' is not a field of Tasks",
            "no column is mapped to 'Name', which is required",
        ]

    def test_a_mapping_saved_as_json_is_used_as_it_comes_back(self) -> None:
        table = csv_table("Tâche;Durée\nA;2j\n")
        saved = json.loads(json.dumps(guess_mapping(table.headers, TASKS)))
        assert saved == {"0": "name", "1": "duration"}
        assert check_mapping(saved, table.headers, TASKS) == []
        result = convert_rows(table, saved, TASKS)
        assert result.records[0].values == {"name": "A", "duration": Duration(960, "d")}

    def test_a_mapping_saved_by_header_follows_columns_that_moved(self) -> None:
        first = csv_table("Tâche;Durée;Notes\nA;2j;x\n")
        saved = mapping_to_headers(guess_mapping(first.headers, TASKS), first.headers)
        assert json.loads(json.dumps(saved)) == saved
        second = csv_table("NOTES;DURÉE;Couleur;tâche\nx;2j;rouge;A\n")
        mapping = mapping_from_headers(saved, second.headers)
        assert mapping == {0: "notes", 1: "duration", 3: "name"}

    def test_converting_with_a_wrong_mapping_is_refused(self) -> None:
        table = csv_table("Length\n2d\n")
        with pytest.raises(PlanFileError, match=r"table\.csv: the column mapping is wrong: no col"):
            convert_rows(table, {0: "duration"}, TASKS)


class TestReadingValues:
    @pytest.mark.parametrize(
        ("cell", "expected"),
        [
            ("1 234,5", Decimal("1234.5")),
            ("1\u202f234,50", Decimal("1234.50")),
            ("1,234.5", Decimal("1234.5")),
            ("1.234,5", Decimal("1234.5")),
            ("1'234.50", Decimal("1234.50")),
            ("-12,5", Decimal("-12.5")),
            ("\u221212", Decimal("-12")),
            (1200.25, Decimal("1200.25")),
            (7, Decimal("7")),
        ],
    )
    def test_numbers_in_french_and_english_forms(self, cell: Any, expected: Decimal) -> None:
        field = TargetField("amount", "Amount", "decimal")
        target = ImportTarget("numbers", "Numbers", (TargetField("name", "Name"), field))
        assert convert_one("amount", cell, target) == expected

    @pytest.mark.parametrize(
        ("cell", "expected"),
        [
            ("1 200,00 €", Decimal("1200.00")),
            ("$1,200.00", Decimal("1200.00")),
            ("€ 45", Decimal("45")),
            ("EUR 1 200", Decimal("1200")),
            ("1 200 CHF", Decimal("1200")),
            ("(50.00)", Decimal("-50.00")),
            ("-£3.5", Decimal("-3.5")),
            (99.5, Decimal("99.5")),
        ],
    )
    def test_money_with_currency_signs_and_codes(self, cell: Any, expected: Decimal) -> None:
        assert convert_one("cost", cell) == expected

    def test_a_number_that_reads_two_ways_follows_the_rest_of_the_table(self) -> None:
        french = csv_table("Tâche;Coût;Durée\nA;1,234;2,5j\nB;2,5;1j\n")
        english = csv_table('Task,Cost\nA,"1,234"\nB,2.5\n')
        for table, expected in ((french, Decimal("1.234")), (english, Decimal("1234"))):
            result = convert_rows(table, guess_mapping(table.headers, TASKS), TASKS)
            assert result.records[0].values["cost"] == expected
        alone = csv_table('Task,Cost\nA,"1,234"\n')
        mapping = guess_mapping(alone.headers, TASKS)
        assert convert_rows(alone, mapping, TASKS).records[0].values["cost"] == Decimal("1234")
        decided = convert_rows(alone, mapping, TASKS, decimal_comma=True)
        assert decided.records[0].values["cost"] == Decimal("1.234")

    @given(
        amount=st.decimals(
            min_value=Decimal("-10000000"),
            max_value=Decimal("10000000"),
            places=2,
            allow_nan=False,
            allow_infinity=False,
        )
    )
    def test_money_written_the_french_or_the_english_way_reads_back(self, amount: Decimal) -> None:
        english = f"${amount:,.2f}"
        french = f"{amount:,.2f} €".replace(",", " ").replace(".", ",")
        assert convert_one("cost", english) == amount
        assert convert_one("cost", french) == amount

    @pytest.mark.parametrize(
        ("cell", "expected"),
        [
            ("50%", Decimal("0.5")),
            ("50 %", Decimal("0.5")),
            ("12,5 %", Decimal("0.125")),
            ("50", Decimal("0.5")),
            (ExcelPercent(0.5), Decimal("0.5")),
            (100, Decimal("1")),
        ],
    )
    def test_percentages(self, cell: Any, expected: Decimal) -> None:
        assert convert_one("percent_complete", cell) == expected

    def test_a_column_of_fractions_is_read_as_fractions(self) -> None:
        table = csv_table("Task,Progress\nA,0.5\nB,1\nC,0\nD,25%\n")
        result = convert_rows(table, guess_mapping(table.headers, TASKS), TASKS)
        progress = [record.values["percent_complete"] for record in result.records]
        assert progress == [Decimal("0.5"), Decimal("1"), Decimal("0"), Decimal("0.25")]
        points = csv_table("Task,Progress\nA,1\nB,50\n")
        result = convert_rows(points, guess_mapping(points.headers, TASKS), TASKS)
        assert [record.values["percent_complete"] for record in result.records] == [
            Decimal("0.01"),
            Decimal("0.5"),
        ]

    def test_a_percentage_out_of_range_is_an_error(self) -> None:
        assert convert_one("percent_complete", "150%") == (
            "row 2, column '% Complete': the value must be at most 1, not 150 %"
        )

    def test_maximum_units_count_plain_numbers_as_fractions(self) -> None:
        assert convert_one("max_units", "3", RESOURCES) == Decimal("3")
        assert convert_one("max_units", "50%", RESOURCES) == Decimal("0.5")

    @pytest.mark.parametrize(
        ("cell", "expected"),
        [
            ("2026-03-02", datetime(2026, 3, 2)),
            ("2026-03-02T08:30", datetime(2026, 3, 2, 8, 30)),
            ("2026-03-02T08:30:00+01:00", datetime(2026, 3, 2, 8, 30)),
            ("02/03/2026", datetime(2026, 3, 2)),
            ("02.03.2026 14:15", datetime(2026, 3, 2, 14, 15)),
            ("13/02/2026", datetime(2026, 2, 13)),
            ("02/13/2026", datetime(2026, 2, 13)),
            ("2 mars 2026", datetime(2026, 3, 2)),
            ("1er avril 2026 à 14h30", datetime(2026, 4, 1, 14, 30)),
            ("lundi 2 mars 2026", datetime(2026, 3, 2)),
            ("March 2, 2026", datetime(2026, 3, 2)),
            ("Monday, March 2, 2026 5:00 PM", datetime(2026, 3, 2, 17)),
            ("02-Mar-2026", datetime(2026, 3, 2)),
            ("06/Jul/26 6:38 PM", datetime(2026, 7, 6, 18, 38)),
            ("Mon 02/03/26", datetime(2026, 3, 2)),
            ("lun 02/03/26 08:00", datetime(2026, 3, 2, 8)),
            ("mar 03/03/26", datetime(2026, 3, 3)),
            ("Mar 3, 2026", datetime(2026, 3, 3)),
            (datetime(2026, 3, 2, 8), datetime(2026, 3, 2, 8)),
            (date(2026, 3, 2), datetime(2026, 3, 2)),
            (46083, datetime(2026, 3, 2)),
        ],
    )
    def test_dates(self, cell: Any, expected: datetime) -> None:
        assert convert_one("start", cell) == expected

    def test_month_first_dates(self) -> None:
        assert convert_one("start", "03/02/2026", day_first=False) == datetime(2026, 3, 2)
        assert convert_one("start", "Mon 3/2/26 8:00 AM", day_first=False) == datetime(
            2026, 3, 2, 8
        )
        assert convert_one("start", "25/02/2026", day_first=False) == datetime(2026, 2, 25)

    def test_a_weekday_settles_which_number_is_the_day(self) -> None:
        # 3 February 2026 is a Tuesday, 2 March 2026 a Monday.
        assert convert_one("start", "Mon 03/02/26") == datetime(2026, 3, 2)
        assert convert_one("start", "Tue 03/02/26", day_first=False) == datetime(2026, 2, 3)

    @given(day=st.dates(min_value=date(1970, 1, 1), max_value=date(2068, 12, 31)))
    def test_any_date_written_day_first_or_month_first_reads_back(self, day: date) -> None:
        moment = datetime(day.year, day.month, day.day)
        assert convert_one("start", day.strftime("%d/%m/%Y")) == moment
        assert convert_one("start", day.strftime("%m/%d/%Y"), day_first=False) == moment
        assert convert_one("start", day.strftime("%a %d/%m/%y")) == moment

    @pytest.mark.parametrize("cell", ["31/02/2026", "next week", "2 mars", "Q1 2026", "1/2/3"])
    def test_what_is_not_a_date(self, cell: str) -> None:
        assert convert_one("start", cell) == f"row 2, column 'Start': '{cell}' is not a date"

    @pytest.mark.parametrize("cell", ["NA", "ND", "n/a", "  "])
    def test_microsoft_project_empty_dates_are_empty(self, cell: str) -> None:
        assert convert_one("deadline", cell) is None

    @pytest.mark.parametrize(
        ("cell", "expected"),
        [
            ("5d", Duration(2400, "d")),
            ("5 days", Duration(2400, "d")),
            ("5 jours", Duration(2400, "d")),
            ("5j", Duration(2400, "d")),
            ("2,5 j", Duration(1200, "d")),
            ("3h", Duration(180, "h")),
            ("3 hrs", Duration(180, "h")),
            ("90 min", Duration(90, "m")),
            ("2w", Duration(4800, "w")),
            ("2 sem", Duration(4800, "w")),
            ("1 mo", Duration(9600, "mo")),
            ("1 mois", Duration(9600, "mo")),
            ("10ed", Duration(14400, "ed")),
            ("3 elapsed days", Duration(4320, "ed")),
            ("4 jé", Duration(5760, "ed")),
            ("5 days?", Duration(2400, "d", estimated=True)),
            ("3 jours?", Duration(1440, "d", estimated=True)),
            ("4", Duration(1920, "d")),
            (1.5, Duration(720, "d")),
            ("0", Duration(0, "d")),
            ("1:30", Duration(90, "h")),
            (timedelta(hours=30), Duration(1800, "h")),
        ],
    )
    def test_durations(self, cell: Any, expected: Duration) -> None:
        assert convert_one("duration", cell) == expected

    def test_a_day_is_the_given_working_minutes(self) -> None:
        assert convert_one("duration", "2d", minutes_per_day=420) == Duration(840, "d")
        assert convert_one("duration", "1w", minutes_per_day=420) == Duration(2100, "w")

    def test_plain_numbers_of_work_are_hours(self) -> None:
        assert convert_one("work", "16") == Duration(960, "h")
        assert convert_one("work", "2 jours") == Duration(960, "d")

    @pytest.mark.parametrize("cell", ["5x", "five days", "-3d", "3d 4h", "50%"])
    def test_what_is_not_a_duration(self, cell: str) -> None:
        assert convert_one("duration", cell) == (
            f"row 2, column 'Duration': '{cell}' is not a duration"
        )

    @pytest.mark.parametrize(
        ("cell", "expected"),
        [
            ("3", (Predecessor(3),)),
            (4, (Predecessor(4),)),
            ("3FS+2d;5SS", (Predecessor(3, "FS", 960, "d"), Predecessor(5, "SS"))),
            ("3DD+2j", (Predecessor(3, "SS", 960, "d"),)),
            ("2FD;3DF;4FF", (Predecessor(2, "FS"), Predecessor(3, "SF"), Predecessor(4, "FF"))),
            ("2,3", (Predecessor(2), Predecessor(3))),
            ("3FD+1,5j", (Predecessor(3, "FS", 720, "d"),)),
            ("4SF-1 day", (Predecessor(4, "SF", -480, "d"),)),
            ("3 FS + 2 days?", (Predecessor(3, "FS", 960, "d"),)),
            ("3FS+2ed", (Predecessor(3, "FS", 2880, "ed"),)),
            ("4FS+50%", (Predecessor(4, "FS", 0, "%", 50.0),)),
            ("3ss+4h", (Predecessor(3, "SS", 240, "h"),)),
            ("3FS+2", (Predecessor(3, "FS", 960, "d"),)),
        ],
    )
    def test_predecessors(self, cell: Any, expected: tuple[Predecessor, ...]) -> None:
        assert convert_one("predecessors", cell) == expected

    @pytest.mark.parametrize("cell", ["3x", "FS", "3FS+2 bananas", "C:\\plan.mpp\\3", "3;;4"])
    def test_what_is_not_a_predecessor_list(self, cell: str) -> None:
        assert convert_one("predecessors", cell) == (
            f"row 2, column 'Predecessors': '{cell}' is not a list of predecessors "
            "(such as 3FS+2d;5SS)"
        )

    @pytest.mark.parametrize(
        ("cell", "expected"),
        [
            ("yes", True),
            ("Oui", True),
            ("TRUE", True),
            ("vrai", True),
            ("x", True),
            ("1", True),
            (True, True),
            ("no", False),
            ("NON", False),
            ("false", False),
            ("0", False),
            (0, False),
        ],
    )
    def test_yes_and_no(self, cell: Any, expected: bool) -> None:
        assert convert_one("milestone", cell) is expected

    def test_choices_in_english_and_french(self) -> None:
        assert convert_one("constraint_type", "Doit commencer le") == "MSO"
        assert convert_one("constraint_type", "start no earlier than") == "SNET"
        assert convert_one("constraint_type", "FNLT") == "FNLT"
        assert convert_one("type", "Matériel", RESOURCES) == "material"
        assert convert_one("constraint_type", "Soon").startswith(
            "row 2, column 'Constraint Type': 'Soon' is not one of: As Soon As Possible, "
        )

    def test_priority_as_a_number_or_a_word(self) -> None:
        assert convert_one("priority", "700") == 700
        assert convert_one("priority", "Haute") == 600
        assert convert_one("priority", "2000") == (
            "row 2, column 'Priority': the value must be at most 1000, not 2000"
        )
        assert convert_one("priority", "2.5") == (
            "row 2, column 'Priority': '2.5' is not a whole number"
        )

    @pytest.mark.parametrize(
        ("cell", "expected"),
        [
            ("$50.00/hr", Rate(Decimal("50.00"), "h")),
            ("60,00 €/h", Rate(Decimal("60.00"), "h")),
            ("480 €/j", Rate(Decimal("480"), "d")),
            ("1 000,00 €/ms", Rate(Decimal("1000.00"), "mo")),
            ("$2,000.00/wk", Rate(Decimal("2000.00"), "w")),
            ("45", Rate(Decimal("45"), "h")),
        ],
    )
    def test_rates_with_their_unit(self, cell: str, expected: Rate) -> None:
        assert convert_one("standard_rate", cell, RESOURCES) == expected

    def test_text_keeps_line_breaks_as_newlines(self) -> None:
        assert convert_one("notes", "  first\r\nsecond\rthird ") == "first\nsecond\nthird"
        assert convert_one("notes", "NA") == "NA"

    def test_each_error_names_the_row_the_column_and_the_problem(self) -> None:
        table = csv_table(
            "Nom;Durée;Début\nA;5j;02/03/2026\n;2j;\nC;5x;\n\nE;1j;32/01/2026\n", "plan.csv"
        )
        result = convert_rows(table, guess_mapping(table.headers, TASKS), TASKS)
        assert [(error.row, error.column_header, error.field) for error in result.errors] == [
            (3, "Nom", "name"),
            (4, "Durée", "duration"),
            (6, "Début", "start"),
        ]
        assert [error.message for error in result.errors] == [
            "row 3, column 'Nom': Name is required but the cell is empty",
            "row 4, column 'Durée': '5x' is not a duration",
            "row 6, column 'Début': '32/01/2026' is not a date",
        ]
        assert [record.number for record in result.records] == [2, 3, 4, 6]
        assert result.records[2].values == {"name": "C"}

    def test_a_target_is_data_other_applications_can_add(self) -> None:
        risks = ImportTarget(
            "test-risks",
            "Risks",
            (
                TargetField("title", "Title", required=True, synonyms=("Risque",)),
                TargetField(
                    "level",
                    "Level",
                    "choice",
                    synonyms=("Gravité",),
                    choices=(Choice("high", "High", ("Élevé",)), Choice("low", "Low", ("Faible",))),
                ),
                TargetField("exposure", "Exposure", "money", synonyms=("Exposition",)),
            ),
        )
        register_target(risks)
        try:
            table = csv_table("Risque;Gravité;Exposition\nPanne;Élevé;10 000 €\n")
            target = TARGETS["test-risks"]
            result = convert_rows(table, guess_mapping(table.headers, target), target)
            assert result.records[0].values == {
                "title": "Panne",
                "level": "high",
                "exposure": Decimal("10000"),
            }
        finally:
            del TARGETS["test-risks"]


def fixture_document(name: str, *, day_first: bool) -> ProjectDocument:
    table = read_table(FIXTURES.joinpath(name).read_bytes(), name=name)
    result = convert_rows(table, guess_mapping(table.headers, TASKS), TASKS, day_first=day_first)
    assert result.errors == []
    return tasks_document(result, name="Office move", source_format="csv")


class TestTasksDocument:
    def test_a_french_microsoft_project_export(self) -> None:
        document = fixture_document("table-msproject-fr.csv", day_first=True)
        plan = document.plan
        assert document.format == "csv"
        assert document.counts() == {
            "tasks": 8,
            "links": 5,
            "resources": 3,
            "assignments": 6,
            "calendars": 0,
        }
        assert document.warnings == ()
        outline = [
            (task.uid, task.id, task.outline_level, task.parent_uid, task.summary)
            for task in plan.tasks
        ]
        assert outline == [
            (1, 1, 1, None, True),
            (2, 2, 2, 1, True),
            (3, 3, 3, 2, False),
            (4, 4, 3, 2, False),
            (5, 5, 2, 1, False),
            (6, 6, 2, 1, False),
            (7, 7, 2, 1, False),
            (8, 8, 1, None, False),
        ]
        boxes, ready = plan.task(4), plan.task(7)
        assert (boxes.duration_minutes, boxes.duration_format, boxes.estimated) == (
            1440,
            "d",
            True,
        )
        assert (ready.milestone, ready.duration_minutes, ready.notes) == (
            True,
            0,
            "Remise des clés",
        )
        assert plan.task(3).notes == "Compter les chaises; vérifier\nles bureaux du 2e étage"
        assert plan.task(2).percent_complete == 60.0
        assert (plan.task(5).start, plan.task(5).finish) == (
            datetime(2026, 3, 9, 8),
            datetime(2026, 3, 13, 17),
        )
        assert plan.start == datetime(2026, 3, 2, 8)
        links = {(link.predecessor_uid, link.successor_uid): link for link in plan.links}
        assert set(links) == {(3, 4), (2, 5), (5, 6), (6, 7), (7, 8)}
        assert (links[(7, 8)].type, links[(7, 8)].lag_minutes) == ("SS", 480)
        names = {resource.uid: resource.name for resource in document.resources}
        assert names == {1: "Alice", 2: "Bob", 3: "Déménageurs"}
        assignments = {(a.task_uid, names[a.resource_uid]): a.units for a in document.assignments}
        assert assignments == {
            (3, "Alice"): Decimal("0.5"),
            (4, "Alice"): None,
            (4, "Bob"): None,
            (5, "Déménageurs"): Decimal("2"),
            (6, "Bob"): None,
            (8, "Alice"): None,
        }
        assert document.details(5).work_minutes == 80 * 60
        assert document.details(5).cost == Decimal("5000.00")
        assert document.details(8).cost is None

    def test_the_english_export_gives_the_same_plan(self) -> None:
        french = fixture_document("table-msproject-fr.csv", day_first=True)
        english = fixture_document("table-msproject-en.csv", day_first=False)

        def shape(document: ProjectDocument) -> list[tuple[Any, ...]]:
            return [
                (
                    task.uid,
                    task.outline_level,
                    task.parent_uid,
                    task.summary,
                    task.milestone,
                    task.duration_minutes,
                    task.estimated,
                    task.start,
                    task.finish,
                    task.percent_complete,
                    document.details(task.uid),
                )
                for task in document.plan.tasks
            ]

        assert shape(english) == shape(french)
        assert [
            (link.predecessor_uid, link.successor_uid, link.type, link.lag_minutes)
            for link in english.plan.links
        ] == [
            (link.predecessor_uid, link.successor_uid, link.type, link.lag_minutes)
            for link in french.plan.links
        ]
        assert [a.units for a in english.assignments] == [a.units for a in french.assignments]

    def test_predecessors_refer_to_the_id_column_when_it_is_mapped(self) -> None:
        document = import_tasks(
            "ID,Name,Duration,Predecessors\n10,A,1d,\n20,B,1d,10\n30,C,1d,20SS\n"
        )
        assert [(task.uid, task.id) for task in document.plan.tasks] == [(1, 10), (2, 20), (3, 30)]
        assert [(link.predecessor_uid, link.successor_uid) for link in document.plan.links] == [
            (1, 2),
            (2, 3),
        ]

    def test_predecessors_refer_to_the_row_order_without_an_id_column(self) -> None:
        document = import_tasks('Name,Duration,Predecessors\nA,1d,\nB,1d,1\nC,1d,"1,2"\n')
        assert [(link.predecessor_uid, link.successor_uid) for link in document.plan.links] == [
            (1, 2),
            (1, 3),
            (2, 3),
        ]

    def test_a_link_to_an_unknown_id_is_a_row_error_not_a_silent_drop(self) -> None:
        text = "ID,Name,Predecessors\n1,A,\n2,B,7\n3,C,3\n"
        with pytest.raises(ImportRowsError) as raised:
            import_tasks(text)
        assert [error.message for error in raised.value.errors] == [
            "row 3, column 'Predecessors': no row has the ID 7",
            "row 4, column 'Predecessors': a task cannot be its own predecessor",
        ]
        assert "table.csv: 2 problems: row 3, column 'Predecessors'" in str(raised.value)
        document = import_tasks(text, ignore_errors=True)
        assert document.plan.links == ()
        assert document.warnings == (
            "row 3, column 'Predecessors': no row has the ID 7; the link was left out",
            "row 4, column 'Predecessors': a task cannot be its own predecessor; the link was "
            "left out",
        )

    def test_a_link_beyond_the_table_without_ids(self) -> None:
        with pytest.raises(ImportRowsError, match="there is no task 9: the table has 2 rows"):
            import_tasks("Name,Predecessors\nA,\nB,9\n")

    def test_conversion_errors_stop_the_import_unless_ignored(self) -> None:
        text = "Name,Duration\nA,2x\n,3d\nC,1d\n"
        with pytest.raises(ImportRowsError) as raised:
            import_tasks(text)
        assert len(raised.value.errors) == 2
        document = import_tasks(text, ignore_errors=True)
        assert [task.name for task in document.plan.tasks] == ["A", "C"]
        assert document.warnings[:2] == (
            "row 2, column 'Duration': '2x' is not a duration; the value was ignored",
            "row 3, column 'Name': Name is required but the cell is empty; the row was skipped",
        )

    def test_a_repeated_id_is_an_error(self) -> None:
        with pytest.raises(
            ImportRowsError, match="row 3, column 'ID': ID 1 is also the ID of row 2"
        ):
            import_tasks("ID,Name\n1,A\n1,B\n")

    def test_the_hierarchy_from_wbs_codes(self) -> None:
        document = import_tasks(
            "WBS,Name,Duration\nP.1,Phase,\nP.1.1,Step,2d\nP.1.2,Step 2,2d\nP.2,Phase 2,1d\n"
        )
        assert [
            (task.wbs, task.outline_level, task.parent_uid, task.summary)
            for task in document.plan.tasks
        ] == [
            ("P.1", 1, None, True),
            ("P.1.1", 2, 1, False),
            ("P.1.2", 2, 1, False),
            ("P.2", 1, None, False),
        ]

    def test_the_outline_level_wins_over_codes(self) -> None:
        document = import_tasks("Outline Level,WBS,Name\n1,1,A\n2,1.1,B\n2,7.7.7,C\n")
        assert [task.outline_level for task in document.plan.tasks] == [1, 2, 2]

    def test_a_level_that_jumps_is_placed_under_the_task_before_with_a_warning(self) -> None:
        document = import_tasks("Name,Outline Level\nA,1\nB,3\nC,2\n")
        assert [(task.outline_level, task.parent_uid) for task in document.plan.tasks] == [
            (1, None),
            (2, 1),
            (2, 1),
        ]
        assert document.warnings == (
            "row 3: outline level 3 follows level 1; the task was placed one level below the "
            "task before it",
        )

    def test_the_project_summary_row_is_not_a_task(self) -> None:
        document = import_tasks(
            "ID,Name,Outline Level,Start,Finish\n0,Office move,0,02/03/2026,17/03/2026\n"
            "1,Pack,1,02/03/2026,03/03/2026\n"
        )
        assert [task.name for task in document.plan.tasks] == ["Pack"]
        summary = document.plan.project_summary
        assert summary is not None
        assert (summary.uid, summary.name, summary.start, summary.finish) == (
            0,
            "Office move",
            datetime(2026, 3, 2, 8),
            datetime(2026, 3, 17, 17),
        )
        assert document.counts()["tasks"] == 1

    def test_durations_from_start_and_finish_when_none_is_given(self) -> None:
        document = import_tasks(
            "Name,Start,Finish\nA,02/03/2026,06/03/2026\nB,06/03/2026,09/03/2026\n"
            "C,02/03/2026 13:00,02/03/2026 17:00\nD,,\n"
        )
        assert [task.duration_minutes for task in document.plan.tasks] == [2400, 960, 240, 0]
        assert document.plan.task(1).start == datetime(2026, 3, 2, 8)
        assert document.plan.task(1).finish == datetime(2026, 3, 6, 17)
        assert document.warnings == (
            "3 tasks without a duration got the working time between their start and finish "
            "on a Monday-to-Friday week (rows 2, 3, 4)",
            "1 task with neither a duration nor both a start and a finish got a duration of 0 "
            "(rows 5)",
        )

    def test_a_finish_before_the_start_is_an_error(self) -> None:
        with pytest.raises(ImportRowsError, match="row 2, column 'Finish': the finish is before"):
            import_tasks("Name,Start,Finish\nA,06/03/2026,02/03/2026\n")

    def test_milestones_from_the_flag_or_a_zero_duration(self) -> None:
        document = import_tasks(
            "Name,Duration,Milestone\nA,0d,\nB,2d,yes\nC,0d,no\nD,,oui\nE,1d,\n"
        )
        assert [task.milestone for task in document.plan.tasks] == [True, True, False, True, False]

    def test_constraints_deadlines_and_progress(self) -> None:
        document = import_tasks(
            "Name,Constraint Type,Constraint Date,Deadline,Priority,Actual Start,% Complete\n"
            "A,Start No Earlier Than,09/03/2026,20/03/2026,700,02/03/2026,50%\n"
            "B,Doit finir le,13/03/2026 12:00,,Low,,\n"
            "C,,13/03/2026,,,,\n"
        )
        first, second, third = document.plan.tasks
        assert (first.constraint_type, first.constraint_date) == (
            "SNET",
            datetime(2026, 3, 9, 8),
        )
        assert first.deadline == datetime(2026, 3, 20, 17)
        assert (first.priority, first.actual_start, first.percent_complete) == (
            700,
            datetime(2026, 3, 2, 8),
            50.0,
        )
        assert (second.constraint_type, second.constraint_date, second.priority) == (
            "MFO",
            datetime(2026, 3, 13, 12),
            400,
        )
        assert (third.constraint_type, third.constraint_date) == ("ASAP", None)
        assert document.warnings == (
            "row 4: the constraint date has no constraint type that uses it; it was ignored",
        )

    def test_a_dated_constraint_without_a_date_is_an_error(self) -> None:
        with pytest.raises(ImportRowsError) as raised:
            import_tasks("Name,Constraint Type\nA,Must Start On\n")
        assert [error.message for error in raised.value.errors] == [
            "row 2, column 'Constraint Type': a 'Must Start On' constraint needs a constraint date"
        ]

    def test_elapsed_durations_and_percentage_lags(self) -> None:
        document = import_tasks("Name,Duration,Predecessors\nA,3ed,\nB,2d,1FS+50%\n")
        first = document.plan.task(1)
        assert (first.duration_minutes, first.elapsed, first.duration_format) == (
            4320,
            True,
            "ed",
        )
        link = document.plan.links[0]
        assert (link.lag_format, link.lag_percent, link.lag_minutes) == ("%", 50.0, 0)

    def test_resource_names_in_microsoft_project_form(self) -> None:
        document = import_tasks(
            'Name,Resource Names\nA,"Alice[50%]; Bob"\nB,"alice, Ciment[2,5 t]"\nC,"Bob[x]"\n',
            ignore_errors=True,
        )
        assert [(r.uid, r.name) for r in document.resources] == [
            (1, "Alice"),
            (2, "Bob"),
            (3, "Ciment"),
        ]
        assert [(a.task_uid, a.resource_uid, a.units) for a in document.assignments] == [
            (1, 1, Decimal("0.5")),
            (1, 2, None),
            (2, 1, None),
            (2, 3, Decimal("2.5")),
        ]
        assert document.warnings == (
            "row 4, column 'Resource Names': 'Bob[x]' is not a resource name with optional "
            "units in brackets (such as Alice[50%]); the value was ignored",
        )

    def test_a_workbook_with_typed_cells(self) -> None:
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = "Planning"
        sheet.append(["Tâche", "Durée", "Début", "% achevé", "Coût", "Jalon", "Prédécesseurs"])
        sheet.append(["Concevoir", 5, datetime(2026, 3, 2), 0.25, 1500, False, None])
        sheet.append(["Livrer", 0, datetime(2026, 3, 9, 17), 0, None, True, 1])
        sheet["D2"].number_format = "0%"
        buffer = io.BytesIO()
        workbook.save(buffer)
        table = read_table(buffer.getvalue(), name="planning.xlsx")
        result = convert_rows(table, guess_mapping(table.headers, TASKS), TASKS)
        document = tasks_document(result, name="Planning", source_format="xlsx")
        design, deliver = document.plan.tasks
        assert (design.duration_minutes, design.start, design.percent_complete) == (
            2400,
            datetime(2026, 3, 2, 8),
            25.0,
        )
        assert document.details(1).cost == Decimal("1500")
        assert (deliver.milestone, deliver.start) == (True, datetime(2026, 3, 9, 17))
        assert [(link.predecessor_uid, link.successor_uid) for link in document.plan.links] == [
            (1, 2)
        ]
        assert document.format == "xlsx"


class TestResourcesDocument:
    def test_a_french_resource_sheet(self) -> None:
        name = "table-resources-fr.csv"
        table = read_table(FIXTURES.joinpath(name).read_bytes(), name=name)
        result = convert_rows(table, guess_mapping(table.headers, RESOURCES), RESOURCES)
        assert result.errors == []
        document = resources_document(result, name="Équipe", source_format="csv")
        assert document.plan.tasks == ()
        assert document.counts()["resources"] == 5
        alice, bob, movers, boxes, insurance = document.resources
        assert (alice.uid, alice.name, alice.kind, alice.initials, alice.group) == (
            1,
            "Alice Martin",
            "work",
            "AM",
            "Logistique",
        )
        assert (alice.max_units, alice.standard_rate, alice.overtime_rate) == (
            Decimal("1"),
            Decimal("60.00"),
            Decimal("90.00"),
        )
        assert (alice.email, alice.code) == ("alice@example.org", "LOG-1")
        assert (bob.max_units, bob.standard_rate, bob.standard_rate_unit) == (
            Decimal("0.5"),
            Decimal("480.00"),
            "d",
        )
        assert (movers.max_units, movers.cost_per_use) == (Decimal("3"), Decimal("150.00"))
        assert (boxes.kind, boxes.standard_rate) == ("material", Decimal("2.50"))
        assert insurance.kind == "cost"
        calendars = {calendar.uid: calendar.calendar.name for calendar in document.plan.calendars}
        assert calendars == {1: "Standard", 2: "Équipe de nuit"}
        assert (alice.calendar_uid, bob.calendar_uid, movers.calendar_uid) == (1, 1, 2)
        assert document.warnings == (
            "row 4: the calendar 'Équipe de nuit' is not described in the table; it was given "
            "the standard week (Monday to Friday, 08:00-12:00 and 13:00-17:00)",
        )

    def test_rows_without_a_name_are_errors(self) -> None:
        table = csv_table("Resource Name,Max. Units\nAlice,100%\n,50%\n")
        result = convert_rows(table, guess_mapping(table.headers, RESOURCES), RESOURCES)
        with pytest.raises(ImportRowsError, match="row 3, column 'Resource Name': Name is req"):
            resources_document(result, name="R", source_format="csv")
        document = resources_document(result, name="R", source_format="csv", ignore_errors=True)
        assert [resource.name for resource in document.resources] == ["Alice"]


def test_rows_converted_for_one_target_do_not_build_another() -> None:
    table = csv_table("Name\nAlice\n")
    result = convert_rows(table, {0: "name"}, RESOURCES)
    with pytest.raises(ValueError, match="converted as 'resources', not as 'tasks'"):
        tasks_document(result, name="P", source_format="csv")


def test_a_conversion_result_keeps_the_columns_the_fields_came_from() -> None:
    table = csv_table("Durée;Tâche\n2j;A\n")
    result = convert_rows(table, {1: "name", 0: "duration"}, TASKS)
    assert isinstance(result, ConversionResult)
    assert (result.file, result.target, result.columns) == (
        "table.csv",
        "tasks",
        {"duration": "Durée", "name": "Tâche"},
    )
