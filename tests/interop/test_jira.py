"""Reading Jira exports (CSV from Server and Cloud, as Excel re-saves them; REST JSON), and
recognising issue-tracker exports from their content."""

from __future__ import annotations

import contextlib
import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pilotage.engine.schedule_plan import schedule_plan
from pilotage.interop.document import ProjectDocument
from pilotage.interop.errors import PlanFileError
from pilotage.interop.jira import read_jira_csv, read_jira_json
from pilotage.interop.sniff import sniff_format
from pilotage.interop.tracker import parse_moment

FIXTURES = Path(__file__).parent / "fixtures"


def read(name: str) -> ProjectDocument:
    data = (FIXTURES / name).read_bytes()
    reader = read_jira_json if name.endswith(".json") else read_jira_csv
    return reader(data, name=name)


def by_wbs(document: ProjectDocument) -> dict[str, Any]:
    return {task.wbs: task for task in document.plan.tasks}


def custom(document: ProjectDocument, uid: int) -> dict[str, Any]:
    return {value.key: value.value for value in document.details(uid).custom_values}


def warning_with(document: ProjectDocument, *words: str) -> str:
    found = [warning for warning in document.warnings if all(word in warning for word in words)]
    assert found, f"no warning with {words} in {document.warnings}"
    return found[0]


# Jira Server "all fields" CSV -------------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> ProjectDocument:
    return read("jira-server-all-fields.csv")


def test_server_export_has_one_task_per_issue_and_counts_excel_blank_rows(
    server: ProjectDocument,
) -> None:
    assert server.format == "jira-csv"
    assert server.counts() == {
        "tasks": 6,
        "links": 3,
        "resources": 3,
        "assignments": 5,
        "calendars": 0,
    }
    assert server.null_tasks == 4
    warning_with(server, "4 blank rows")
    assert server.plan.name == "Website relaunch"


def test_issue_id_is_the_uid_and_the_key_the_wbs_code(server: ProjectDocument) -> None:
    tasks = by_wbs(server)
    assert tasks["WEB-2"].uid == 10101
    assert tasks["WEB-2"].name == "Card payment"
    assert [task.id for task in server.plan.tasks] == list(range(1, 7))


def test_epics_hold_their_issues_and_sub_tasks_sit_under_their_parent(
    server: ProjectDocument,
) -> None:
    tasks = by_wbs(server)
    epic = tasks["WEB-1"]
    assert epic.summary
    assert [task.wbs for task in server.plan.children(epic.uid)] == ["WEB-2", "WEB-3"]
    assert tasks["WEB-3"].summary
    assert tasks["WEB-4"].parent_uid == tasks["WEB-3"].uid
    assert tasks["WEB-4"].outline_level == 3
    assert tasks["WEB-4"].outline_number == "1.2.1"
    uids = [task.uid for task in server.plan.tasks]
    for task in server.plan.tasks:
        if task.parent_uid is not None:
            assert uids.index(task.parent_uid) < uids.index(task.uid)


def test_an_epic_missing_from_the_export_leaves_the_issue_at_the_top_with_a_warning(
    server: ProjectDocument,
) -> None:
    assert by_wbs(server)["WEB-6"].parent_uid is None
    warning_with(server, "WEB-6", "WEB-404", "not in the export")


def test_multi_line_description_with_quotes_and_commas_becomes_the_notes(
    server: ProjectDocument,
) -> None:
    notes = by_wbs(server)["WEB-2"].notes
    assert notes.startswith('Accept Visa, Mastercard and "Carte Bancaire".\n')
    assert notes.endswith("no card number touches our servers.")


def test_original_estimate_is_the_work_and_the_duration(server: ProjectDocument) -> None:
    task = by_wbs(server)["WEB-4"]
    assert server.details(task.uid).work_minutes == 240
    assert task.duration_minutes == 240
    assert not task.estimated
    assignment = next(item for item in server.assignments if item.task_uid == task.uid)
    assert assignment.units == Decimal(1)
    assert assignment.work_minutes == 240


def test_story_points_count_one_day_each_when_there_is_no_estimate(server: ProjectDocument) -> None:
    task = by_wbs(server)["WEB-2"]
    assert server.details(task.uid).work_minutes == 3 * 480
    assert task.duration_minutes == 3 * 480
    assert custom(server, task.uid)["Story points"] == Decimal(3)
    warning_with(server, "story points", "WEB-2")


def test_the_original_estimate_wins_over_story_points(server: ProjectDocument) -> None:
    task = by_wbs(server)["WEB-3"]
    assert server.details(task.uid).work_minutes == 960
    assert custom(server, task.uid)["Story points"] == Decimal(5)


def test_time_spent_and_remaining_estimate_become_actual_and_remaining_work(
    server: ProjectDocument,
) -> None:
    details = server.details(by_wbs(server)["WEB-3"].uid)
    assert (details.actual_work_minutes, details.remaining_work_minutes) == (480, 480)


def test_an_issue_without_effort_lasts_one_estimated_day_said_once(server: ProjectDocument) -> None:
    task = by_wbs(server)["WEB-5"]
    assert (task.duration_minutes, task.estimated) == (480, True)
    warning_with(server, "1 task had no estimate")


def test_repeated_sprint_and_labels_columns(server: ProjectDocument) -> None:
    values = custom(server, by_wbs(server)["WEB-3"].uid)
    assert values["Sprint"] == "WEB Sprint 2"
    assert values["Labels"] == "email, backend"
    assert values["Issue type"] == "Story"
    assert values["Status"] == "In Progress"
    keys = [definition.key for definition in server.custom_fields]
    assert {"Sprint", "Labels", "Story points", "Issue type", "Status"} <= set(keys)
    points = next(field for field in server.custom_fields if field.key == "Story points")
    assert points.kind == "number"


def test_blocks_links_in_both_directions_once_each_and_not_relates(server: ProjectDocument) -> None:
    tasks = by_wbs(server)
    pairs = {(link.predecessor_uid, link.successor_uid) for link in server.plan.links}
    assert pairs == {
        (tasks["WEB-2"].uid, tasks["WEB-3"].uid),
        (tasks["WEB-6"].uid, tasks["WEB-5"].uid),
        (tasks["WEB-6"].uid, tasks["WEB-3"].uid),
    }
    assert all(link.type == "FS" for link in server.plan.links)


def test_a_link_to_an_issue_outside_the_export_is_dropped_naming_both_keys(
    server: ProjectDocument,
) -> None:
    warning = warning_with(server, "WEB-99")
    assert "WEB-5" in warning
    assert "dropped" in warning


def test_status_resolution_and_dates(server: ProjectDocument) -> None:
    tasks = by_wbs(server)
    done = tasks["WEB-2"]
    assert done.percent_complete == 100
    assert done.actual_finish == datetime(2026, 3, 6, 17, 40)
    # Three days of work finishing on Friday the 6th started on Wednesday the 4th.
    assert done.actual_start == datetime(2026, 3, 4, 8, 0)
    resolved = tasks["WEB-6"]
    assert (resolved.percent_complete, resolved.actual_finish) == (100, datetime(2026, 3, 11, 15))
    assert tasks["WEB-4"].percent_complete == 0
    assert tasks["WEB-5"].percent_complete == 0
    assert tasks["WEB-1"].deadline == datetime(2026, 4, 30, 17, 0)


def test_a_start_date_field_is_a_start_no_earlier_than_constraint(server: ProjectDocument) -> None:
    tasks = by_wbs(server)
    assert tasks["WEB-5"].constraint_type == "SNET"
    assert tasks["WEB-5"].constraint_date == datetime(2026, 3, 9, 8, 0)
    assert tasks["WEB-4"].constraint_type == "ASAP"
    assert server.plan.start == datetime(2026, 3, 2, 8, 0)


def test_priorities(server: ProjectDocument) -> None:
    tasks = by_wbs(server)
    assert [tasks[key].priority for key in ("WEB-2", "WEB-1", "WEB-3", "WEB-4", "WEB-5")] == [
        900,
        700,
        500,
        300,
        100,
    ]
    assert tasks["WEB-6"].priority == 900  # Critical


def test_one_resource_per_assignee(server: ProjectDocument) -> None:
    assert [resource.name for resource in server.resources] == [
        "ana.silva",
        "bruno.keller",
        "Zoë Weiß",
    ]
    tasks = by_wbs(server)
    assigned = {(assignment.task_uid, assignment.resource_uid) for assignment in server.assignments}
    assert (tasks["WEB-2"].uid, 1) in assigned
    assert not any(task_uid == tasks["WEB-5"].uid for task_uid, _ in assigned)


@pytest.mark.parametrize(
    "name",
    [
        "jira-server-all-fields.csv",
        "jira-excel-semicolon.csv",
        "jira-cloud-current-fields.csv",
        "jira-search.json",
    ],
)
def test_every_export_gives_a_plan_the_scheduler_accepts(name: str) -> None:
    document = read(name)
    schedule = schedule_plan(document.plan)
    assert len(schedule.tasks) == len(document.plan.tasks)


# Re-saved by French Excel ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def excel() -> ProjectDocument:
    return read("jira-excel-semicolon.csv")


def test_semicolons_and_windows_1252_text(excel: ProjectDocument) -> None:
    tasks = by_wbs(excel)
    assert tasks["OPS-2"].name == "Migration de l’annuaire"
    assert custom(excel, tasks["OPS-1"].uid)["Issue type"] == "Tâche"
    assert excel.resources[0].name == "Léa Roux"


def test_excel_day_first_dates_and_french_statuses(excel: ProjectDocument) -> None:
    tasks = by_wbs(excel)
    assert tasks["OPS-1"].percent_complete == 100
    assert tasks["OPS-1"].actual_start == datetime(2026, 3, 16, 9, 30)
    assert tasks["OPS-1"].actual_finish == datetime(2026, 3, 18, 17, 45)
    assert tasks["OPS-2"].percent_complete == 50
    assert tasks["OPS-2"].actual_start == datetime(2026, 3, 16, 10, 0)
    assert tasks["OPS-2"].deadline == datetime(2026, 3, 27, 17, 0)
    assert tasks["OPS-3"].percent_complete == 0


def test_decimal_comma_and_thousands_space(excel: ProjectDocument) -> None:
    tasks = by_wbs(excel)
    assert custom(excel, tasks["OPS-1"].uid)["Story points"] == Decimal("2.5")
    assert excel.details(tasks["OPS-1"].uid).work_minutes == 1200
    assert excel.details(tasks["OPS-4"].uid).work_minutes == 480


def test_french_priorities_and_an_unknown_one_said_once(excel: ProjectDocument) -> None:
    tasks = by_wbs(excel)
    assert [tasks[key].priority for key in ("OPS-1", "OPS-2", "OPS-3", "OPS-4")] == [
        700,
        500,
        500,
        300,
    ]
    assert sum("'P2'" in warning for warning in excel.warnings) == 1


def test_a_repeated_key_is_skipped_and_a_bad_date_ignored_with_their_lines(
    excel: ProjectDocument,
) -> None:
    assert [task.wbs for task in excel.plan.tasks] == ["OPS-1", "OPS-2", "OPS-3", "OPS-4"]
    assert by_wbs(excel)["OPS-3"].name == "Bascule DNS"
    warning_with(excel, "Line 5", "OPS-3", "second time")
    warning_with(excel, "Line 4", "Due Date", "'32/03/2026'")
    assert by_wbs(excel)["OPS-3"].deadline is None


def test_unassigned_is_nobody_and_blank_rows_anywhere_are_skipped(excel: ProjectDocument) -> None:
    assert [resource.name for resource in excel.resources] == ["Léa Roux", "Marc Dupuis"]
    assert excel.null_tasks == 4


def test_month_first_dates_when_the_file_can_only_be_month_first() -> None:
    text = (
        "Issue key,Summary,Status,Created,Due Date\n"
        "A-1,One,To Do,03/04/2026 10:00,12/31/2026\n"
        "A-2,Two,To Do,03/05/2026 10:00,\n"
    )
    tasks = by_wbs(read_jira_csv(text.encode(), name="us.csv"))
    assert tasks["A-1"].deadline == datetime(2026, 12, 31, 17, 0)
    assert read_jira_csv(text.encode(), name="us.csv").plan.start == datetime(2026, 3, 4, 8, 0)


# Jira Cloud "current fields" ------------------------------------------------------------------


@pytest.fixture(scope="module")
def cloud() -> ProjectDocument:
    return read("jira-cloud-current-fields.csv")


def test_cloud_export_with_byte_order_mark_and_sigma_headers(cloud: ProjectDocument) -> None:
    tasks = by_wbs(cloud)
    assert custom(cloud, tasks["MOB-1"].uid)["Issue type"] == "Epic"
    assert cloud.details(tasks["MOB-3"].uid).work_minutes == 240
    assert cloud.details(tasks["MOB-2"].uid).work_minutes == 8 * 480
    assert custom(cloud, tasks["MOB-2"].uid)["Story points"] == Decimal(8)


def test_without_issue_ids_uids_are_numbers_in_outline_order(cloud: ProjectDocument) -> None:
    assert [task.uid for task in cloud.plan.tasks] == [1, 2, 3, 4]
    keyless = cloud.plan.tasks[3]
    assert (keyless.name, keyless.wbs, keyless.parent_uid) == ("Draft store listing", "", 1)


def test_parent_column_and_status_category(cloud: ProjectDocument) -> None:
    tasks = by_wbs(cloud)
    assert tasks["MOB-1"].summary
    assert tasks["MOB-2"].parent_uid == tasks["MOB-1"].uid
    # "Code review" is unknown; its category says In Progress.
    assert tasks["MOB-2"].percent_complete == 50


def test_iso_offsets_are_dropped_and_12_hour_times_read(cloud: ProjectDocument) -> None:
    tasks = by_wbs(cloud)
    assert tasks["MOB-2"].actual_start == datetime(2026, 6, 29, 9, 20)
    # Done without a resolution date: finished at the last update.
    assert tasks["MOB-3"].actual_finish == datetime(2026, 7, 6, 9, 5)
    assert tasks["MOB-2"].deadline == datetime(2026, 7, 10, 17, 0)


def test_account_ids_identify_people(cloud: ProjectDocument) -> None:
    assert [(resource.name, resource.code) for resource in cloud.resources] == [
        ("Priya Natarajan", "712020:0a1b"),
        ("Tom Becker", "5efc35ca25"),
    ]


def test_progress_without_any_date_is_not_imported_and_said() -> None:
    text = "Issue Type,Summary,Status\nTask,Ship it,Done\nTask,Plan it,To Do\n"
    document = read_jira_csv(text.encode(), name="current.csv")
    assert [task.percent_complete for task in document.plan.tasks] == [0, 0]
    warning_with(document, "no date to place that progress", "line 2")
    assert custom(document, 1)["Status"] == "Done"


# REST JSON ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def search() -> ProjectDocument:
    return read("jira-search.json")


def test_search_response_issues_and_hierarchy(search: ProjectDocument) -> None:
    assert search.format == "jira-json"
    assert search.counts() == {
        "tasks": 5,
        "links": 1,
        "resources": 2,
        "assignments": 4,
        "calendars": 0,
    }
    tasks = by_wbs(search)
    assert tasks["HR-10"].summary
    assert [task.wbs for task in search.plan.children(tasks["HR-10"].uid)] == ["HR-11", "HR-12"]
    # HR-14 has no parent field: HR-12 lists it among its sub-tasks.
    assert tasks["HR-14"].parent_uid == tasks["HR-12"].uid
    assert tasks["HR-11"].uid == 30011
    assert search.plan.name == "HR onboarding portal"


def test_a_page_of_search_results_is_said(search: ProjectDocument) -> None:
    warning_with(search, "5 of the 9 issues")


def test_atlassian_document_description_becomes_plain_text(search: ProjectDocument) -> None:
    assert by_wbs(search)["HR-11"].notes == (
        "New hires sign their contract online.\n- e-signature\n- reminder after\n  3 days"
    )
    assert by_wbs(search)["HR-13"].notes == "Form fields:\n- model\n- keyboard layout"


def test_custom_fields_found_by_their_names(search: ProjectDocument) -> None:
    tasks = by_wbs(search)
    assert custom(search, tasks["HR-12"].uid)["Story points"] == Decimal(3)
    assert search.details(tasks["HR-13"].uid).work_minutes == 240
    assert tasks["HR-10"].constraint_type == "SNET"
    assert tasks["HR-10"].constraint_date == datetime(2026, 4, 6, 8, 0)
    values = custom(search, tasks["HR-11"].uid)
    assert values["Sprint"] == "HR Sprint 2"
    assert values["Labels"] == "legal, contract"
    assert values["Components"] == "Portal"


def test_status_category_resolution_date_and_work(search: ProjectDocument) -> None:
    tasks = by_wbs(search)
    assert tasks["HR-12"].percent_complete == 50
    done = tasks["HR-11"]
    assert done.percent_complete == 100
    assert done.actual_finish == datetime(2026, 4, 9, 16, 45)
    assert search.details(done.uid).work_minutes == 960
    assert search.details(done.uid).actual_work_minutes == 840
    assert tasks["HR-13"].deadline == datetime(2026, 4, 24, 17, 0)
    assert tasks["HR-13"].priority == 100


def test_issue_links_blocks_only_and_outside_issues_said(search: ProjectDocument) -> None:
    tasks = by_wbs(search)
    assert [(link.predecessor_uid, link.successor_uid) for link in search.plan.links] == [
        (tasks["HR-11"].uid, tasks["HR-12"].uid)
    ]
    warning_with(search, "HR-12", "IT-7", "dropped")


def test_assignees_with_email_and_browse_links(search: ProjectDocument) -> None:
    nadia = search.resources[0]
    assert (nadia.name, nadia.email, nadia.code) == (
        "Nadia Benali",
        "nadia.benali@example.com",
        "557058:aa11",
    )
    assert (
        search.details(by_wbs(search)["HR-11"].uid).hyperlink_address
        == "https://jira.example.com/browse/HR-11"
    )


def issue(key: str, **fields: Any) -> dict[str, Any]:
    return {"id": key.split("-")[1], "key": key, "fields": {"summary": key, **fields}}


def test_server_sprint_strings_and_epic_link_by_name() -> None:
    sprint = (
        "com.atlassian.greenhopper.service.sprint.Sprint@3ed98aea[id=171,rapidViewId=22,"
        "state=CLOSED,name=Sprint 8,startDate=2016-09-28T12:00:00.000+02:00,sequence=171]"
    )
    later = sprint.replace("CLOSED", "FUTURE").replace("Sprint 8", "Sprint 9")
    payload = {
        "issues": [
            issue("S-1", issuetype={"name": "Epic"}),
            issue("S-2", customfield_10300=[sprint, later], customfield_10008="S-1"),
        ],
        "names": {"customfield_10008": "Epic Link"},
    }
    document = read_jira_json(json.dumps(payload).encode(), name="server.json")
    tasks = by_wbs(document)
    assert tasks["S-2"].parent_uid == tasks["S-1"].uid
    assert custom(document, tasks["S-2"].uid)["Sprint"] == "Sprint 9"


def test_a_list_of_issues_or_one_issue() -> None:
    many = read_jira_json(json.dumps([issue("A-1"), issue("A-2")]).encode(), name="list.json")
    one = read_jira_json(json.dumps(issue("A-3")).encode(), name="one.json")
    assert [task.wbs for task in many.plan.tasks] == ["A-1", "A-2"]
    assert [task.wbs for task in one.plan.tasks] == ["A-3"]


def test_an_issue_without_fields_is_skipped_with_a_warning() -> None:
    payload = {"issues": [issue("A-1"), {"key": "A-2"}, "junk"]}
    document = read_jira_json(json.dumps(payload).encode(), name="odd.json")
    assert [task.wbs for task in document.plan.tasks] == ["A-1"]
    warning_with(document, "Issue 2 of the file", "no 'fields'")


def test_deeply_nested_description_does_not_fail() -> None:
    node: dict[str, Any] = {"type": "text", "text": "deep"}
    for _ in range(300):
        node = {"type": "paragraph", "content": [node]}
    payload = [issue("A-1", description={"type": "doc", "content": [node]})]
    document = read_jira_json(json.dumps(payload).encode(), name="deep.json")
    assert document.plan.tasks[0].notes == ""


def test_a_description_longer_than_the_csv_module_default_limit_is_read() -> None:
    description = "log line, with a comma\n" * 20_000
    text = f'Issue key,Summary,Description\nL-1,Crash,"{description}"\nL-2,Next,\n'
    document = read_jira_csv(text.encode(), name="long.csv")
    assert len(document.plan.tasks[0].notes) == len(description.strip())
    assert document.plan.tasks[1].name == "Next"


# Hierarchy and link oddities ------------------------------------------------------------------


def test_a_loop_of_parents_is_broken_with_a_warning() -> None:
    text = (
        "Issue key,Issue id,Summary,Parent id,Outward issue link (Blocks)\n"
        "L-1,1,First,2,L-1\n"
        "L-2,2,Second,1,\n"
    )
    document = read_jira_csv(text.encode(), name="loop.csv")
    assert len(document.plan.tasks) == 2
    assert any(task.parent_uid is None for task in document.plan.tasks)
    warning_with(document, "its own ancestor")
    warning_with(document, "linked to itself")
    assert document.plan.links == ()


def test_sub_task_parent_found_by_key_in_a_parent_column() -> None:
    text = "Issue key,Summary,Issue Type,Parent\nP-1,Story,Story,\nP-2,Step,Sub-task,P-1\n"
    tasks = by_wbs(read_jira_csv(text.encode(), name="parent.csv"))
    assert tasks["P-2"].parent_uid == tasks["P-1"].uid


# Errors ---------------------------------------------------------------------------------------


def test_a_csv_that_is_not_a_jira_export_names_the_header_line() -> None:
    with pytest.raises(PlanFileError, match="line 1: this is not a Jira export") as caught:
        read_jira_csv(b"Name,Duration\nDesign,5d\n", name="plan.csv")
    assert "'Name'" in str(caught.value)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "empty"),
        (b"\n\n,,\n", "empty"),
        (b"PK\x03\x04\x00\x00\x00", "not a text file"),
    ],
)
def test_empty_and_binary_csv_files_are_refused(data: bytes, problem: str) -> None:
    with pytest.raises(PlanFileError, match=problem):
        read_jira_csv(data, name="export.csv")


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b'{"issues": [', "line 1: not valid JSON"),
        (b'{"total": 3}', "not a Jira export"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
)
def test_bad_json_is_refused_with_a_message(data: bytes, problem: str) -> None:
    with pytest.raises(PlanFileError, match=problem):
        read_jira_json(data, name="search.json")


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.lists(
        st.lists(
            st.one_of(
                st.sampled_from(["", "A-1", "A-2", "Done", "2026-03-02", "06/Jul/26 6:38 PM"]),
                st.text(max_size=12),
            ),
            min_size=1,
            max_size=9,
        ),
        max_size=6,
    )
)
def test_any_csv_rows_give_a_valid_document_or_a_plan_file_error(rows: list[list[str]]) -> None:
    header = (
        "Issue key,Issue id,Summary,Status,Created,Parent,Original Estimate,Sprint,"
        "Inward issue link (Blocks)"
    )
    lines = [header, *(",".join(json.dumps(cell) for cell in row) for row in rows)]
    try:
        document = read_jira_csv("\n".join(lines).encode(), name="fuzz.csv")
    except PlanFileError:
        return
    assert len({task.uid for task in document.plan.tasks}) == len(document.plan.tasks)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(["key", "id", "fields", "summary", "parent", "status", "issuelinks"]),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(json_values, max_size=4))
def test_any_json_issues_give_a_document_or_a_plan_file_error(issues: list[Any]) -> None:
    with contextlib.suppress(PlanFileError):
        read_jira_json(json.dumps({"issues": issues}).encode(), name="fuzz.json")


# Dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("06/Jul/26 6:38 PM", datetime(2026, 7, 6, 18, 38)),
        ("16/Feb/17 12:05 AM", datetime(2017, 2, 16, 0, 5)),
        ("2017-02-16 15:26", datetime(2017, 2, 16, 15, 26)),
        ("2026-07-06T18:38:00.000+0200", datetime(2026, 7, 6, 18, 38)),
        ("2026-07-06T18:38:59.999-05:00", datetime(2026, 7, 6, 18, 38)),
        ("2019-04-02T21:30:00.000Z", datetime(2019, 4, 2, 21, 30)),
        ("16/02/2017 15:26", datetime(2017, 2, 16, 15, 26)),
        ("16/02/2017", datetime(2017, 2, 16)),
        ("16.02.2017 08:00", datetime(2017, 2, 16, 8)),
        ("16/févr./17 15:26", datetime(2017, 2, 16, 15, 26)),
        ("2026-03-02", datetime(2026, 3, 2)),
    ],
)
def test_dates_in_the_forms_jira_and_excel_write(text: str, expected: datetime) -> None:
    moment = parse_moment(text)
    assert moment is not None
    assert moment[0] == expected


@pytest.mark.parametrize("text", ["31/31/2026", "06/Jux/26", "13:00 PM 2026", "yesterday"])
def test_what_is_not_a_date(text: str) -> None:
    with pytest.raises(ValueError, match=r"not|must be"):
        parse_moment(text)


# Recognising the format -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("jira-server-all-fields.csv", "jira-csv"),
        ("jira-excel-semicolon.csv", "jira-csv"),
        ("jira-cloud-current-fields.csv", "jira-csv"),
        ("jira-search.json", "jira-json"),
        ("trello-board.json", "trello-json"),
        ("asana-office-move.csv", "asana-csv"),
        ("office-move.xml", None),
    ],
)
def test_sniff_format_recognises_exports_by_content(name: str, expected: str | None) -> None:
    assert sniff_format((FIXTURES / name).read_bytes(), "renamed.txt") == expected


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"Name,Duration\nDesign,5d\n",
        b'{"issues": [{"name": "x"}]}',
        b'{"cards": []}',
        b"[1, 2]",
        b"{not json",
        b"PK\x03\x04\x00\x00",
    ],
)
def test_sniff_format_says_none_for_anything_else(data: bytes) -> None:
    assert sniff_format(data, "file.csv") is None
