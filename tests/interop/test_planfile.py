"""Reading plan files: Pilotage's plan-as-code in JSON and TOML, and the choice of reader."""

from __future__ import annotations

import json
import re
import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from pilotage.engine.calendars import WorkingPeriod
from pilotage.engine.plan import Plan, PlanLink
from pilotage.interop.errors import PlanFileError
from pilotage.interop.planfile import (
    CALENDAR_FIELDS,
    PLAN_FIELDS,
    PREDECESSOR_FIELDS,
    TASK_FIELDS,
    parse_plan,
    read_plan_file,
)

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "docs" / "plan.schema.json"
EXAMPLE = ROOT / "tests" / "cli" / "fixtures" / "office-move.toml"
MSPDI = Path(__file__).parent / "fixtures" / "office-move.xml"


def toml(text: str) -> Plan:
    return parse_plan(text, format="toml", name="plan.toml").plan


def one_task(fields: str, project: str = "") -> Plan:
    return toml(
        f'name = "P"\nstart = 2026-03-02\n{project}\n[[tasks]]\nuid = 1\nname = "A"\n{fields}'
    )


def as_json(value: Any) -> Any:
    """The JSON form of a parsed TOML document: native dates become ISO strings."""
    if isinstance(value, dict):
        return {key: as_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_json(item) for item in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


class TestTheExample:
    def test_toml_and_json_are_the_same_structure(self) -> None:
        text = EXAMPLE.read_text()
        from_toml = parse_plan(text, format="toml").plan
        document = json.dumps(as_json(tomllib.loads(text)), indent=2)
        from_json = parse_plan(document, format="json").plan
        assert from_json.tasks == from_toml.tasks
        assert from_json.links == from_toml.links
        assert from_json.calendars == from_toml.calendars
        assert from_json.start == from_toml.start == datetime(2026, 3, 2, 8)
        assert from_json.status_date == datetime(2026, 3, 4, 17)

    def test_the_outline_comes_from_the_nesting(self) -> None:
        plan = read_plan_file(EXAMPLE).plan
        rows = [
            (task.uid, task.id, task.parent_uid, task.outline_level, task.wbs, task.summary)
            for task in plan.tasks
        ]
        assert rows == [
            (1, 1, None, 1, "1", True),
            (2, 2, 1, 2, "1.1", False),
            (3, 3, 1, 2, "1.2", False),
            (4, 4, None, 1, "2", False),
            (5, 5, None, 1, "3", False),
            (6, 6, None, 1, "4", False),
        ]

    def test_calendars_are_referred_to_by_name(self) -> None:
        plan = read_plan_file(EXAMPLE).plan
        office, movers = plan.calendars
        assert (office.uid, movers.uid, movers.base_uid, plan.calendar_uid) == (1, 2, 1, 1)
        assert plan.task(4).calendar_uid == 2
        assert office.calendar.holiday_region == ("FR", None)
        friday = office.calendar.periods_on(date(2026, 3, 6))
        assert friday == (WorkingPeriod(480, 720), WorkingPeriod(780, 960))
        assert office.calendar.periods_on(date(2026, 3, 13)) == ()
        # The movers' calendar keeps the office's hours and closures and adds Saturday morning.
        assert movers.calendar.periods_on(date(2026, 3, 7)) == (WorkingPeriod(480, 720),)
        assert movers.calendar.periods_on(date(2026, 3, 6)) == friday
        assert movers.calendar.periods_on(date(2026, 3, 13)) == ()


class TestValues:
    @pytest.mark.parametrize(
        ("text", "minutes", "unit", "elapsed"),
        [
            ("30m", 30, "m", False),
            ("4h", 240, "h", False),
            ("2.5d", 1200, "d", False),
            ("1w", 2400, "w", False),
            ("1mo", 9600, "mo", False),
            ("3ed", 3 * 1440, "ed", True),
            ("12eh", 720, "eh", True),
            ("1ew", 10080, "ew", True),
            (" 0d ", 0, "d", False),
        ],
    )
    def test_durations(self, text: str, minutes: int, unit: str, elapsed: bool) -> None:
        task = one_task(f'duration = "{text}"').task(1)
        assert (task.duration_minutes, task.duration_format, task.elapsed) == (
            minutes,
            unit,
            elapsed,
        )

    def test_days_follow_the_plans_minutes_per_day(self) -> None:
        plan = one_task('duration = "2d"', "minutes_per_day = 450\ndays_per_month = 21")
        assert plan.task(1).duration_minutes == 900
        assert plan.minutes_per_day == 450

    @pytest.mark.parametrize(
        ("predecessor", "expected"),
        [
            ('"1"', PlanLink(1, 2)),
            ("1", PlanLink(1, 2)),
            ('"1SS"', PlanLink(1, 2, "SS")),
            ('"1ss+2d"', PlanLink(1, 2, "SS", lag_minutes=960, lag_format="d")),
            ('"1FF-1d"', PlanLink(1, 2, "FF", lag_minutes=-480, lag_format="d")),
            ('"1 SF + 4h"', PlanLink(1, 2, "SF", lag_minutes=240, lag_format="h")),
            (
                '"1FS+2ed"',
                PlanLink(1, 2, lag_minutes=2880, lag_format="ed", elapsed_lag=True),
            ),
            ('"1FS+50%"', PlanLink(1, 2, lag_format="%", lag_percent=50.0)),
            (
                '"1FS-25e%"',
                PlanLink(1, 2, lag_format="e%", lag_percent=-25.0, elapsed_lag=True),
            ),
            ('{ task = 1, type = "ff", lag = "1w" }', PlanLink(1, 2, "FF", 2400, "w")),
            ("{ task = 1 }", PlanLink(1, 2)),
        ],
    )
    def test_predecessors(self, predecessor: str, expected: PlanLink) -> None:
        plan = toml(
            'name = "P"\nstart = 2026-03-02\n[[tasks]]\nuid = 1\nname = "A"\nduration = "1d"\n'
            f'[[tasks]]\nuid = 2\nname = "B"\nduration = "1d"\npredecessors = [{predecessor}]\n'
        )
        assert plan.links == (expected,)

    def test_dates_alone_take_the_default_start_or_finish_time(self) -> None:
        plan = one_task(
            'duration = "1d"\nconstraint = "FNLT"\nconstraint_date = "2026-03-06"\n'
            "deadline = 2026-03-09\nactual_start = 2026-03-02\npercent_complete = 10",
            'default_start_time = "09:00"\ndefault_finish_time = "18:00"\n'
            'status_date = "2026-03-03"',
        )
        task = plan.task(1)
        assert plan.start == datetime(2026, 3, 2, 9)
        assert plan.status_date == datetime(2026, 3, 3, 18)
        assert task.constraint_date == datetime(2026, 3, 6, 18)
        assert task.deadline == datetime(2026, 3, 9, 18)
        assert task.actual_start == datetime(2026, 3, 2, 9)
        assert plan.default_start_minute == 9 * 60

    def test_start_constraints_of_a_date_alone_start_the_day(self) -> None:
        plan = one_task('duration = "1d"\nconstraint = "snet"\nconstraint_date = "2026-03-04"')
        assert (plan.task(1).constraint_type, plan.task(1).constraint_date) == (
            "SNET",
            datetime(2026, 3, 4, 8),
        )

    def test_dates_and_times_in_text(self) -> None:
        plan = parse_plan(
            '{"name": "P", "start": "2026-03-02T13:30", "status_date": "2026-03-03 12:00:00"}',
            format="json",
        ).plan
        assert (plan.start, plan.status_date) == (
            datetime(2026, 3, 2, 13, 30),
            datetime(2026, 3, 3, 12),
        )

    def test_a_milestone_needs_no_duration(self) -> None:
        task = one_task("milestone = true").task(1)
        assert (task.milestone, task.duration_minutes) == (True, 0)

    def test_a_finished_task_is_complete(self) -> None:
        task = one_task(
            'duration = "1d"\nactual_start = 2026-03-02T08:00:00\n'
            "actual_finish = 2026-03-02T17:00:00"
        ).task(1)
        assert task.percent_complete == 100

    def test_progress_manual_and_other_fields(self) -> None:
        task = one_task(
            'id = 7\nwbs = "A.1"\nduration = "4d"\nactual_start = 2026-03-02T08:00:00\n'
            'percent_complete = 25\nremaining_duration = "2d"\npriority = 900\nactive = false\n'
            'notes = "Call first"\nmanual = true\nstart = 2026-03-02T08:00:00'
        ).task(1)
        assert (task.id, task.wbs, task.priority, task.active, task.notes) == (
            7,
            "A.1",
            900,
            False,
            "Call first",
        )
        assert (task.percent_complete, task.remaining_duration_minutes) == (25.0, 960)
        assert (task.manual, task.start) == (True, datetime(2026, 3, 2, 8))

    def test_a_recurring_closure(self) -> None:
        plan = toml(
            'name = "P"\nstart = 2026-03-02\n[[calendars]]\nname = "Plant"\n'
            'recurring = [{ name = "Year end", month = 12, day = 24, days = 8 }]\n'
            'holidays = { country = "de", subdivision = "BY" }'
        )
        calendar = plan.calendars[0].calendar
        assert calendar.periods_on(date(2030, 12, 31)) == ()
        assert calendar.periods_on(date(2031, 1, 2)) != ()
        assert calendar.holiday_region == ("DE", "BY")

    def test_the_project_calendar_is_the_first_one_by_default(self) -> None:
        plan = toml(
            'name = "P"\nstart = 2026-03-02\n[[calendars]]\nname = "A"\n[[calendars]]\nname = "B"'
        )
        assert plan.calendar_uid == 1


ERRORS: list[tuple[str, str, str, int | None]] = [
    # (format, document, message, line)
    ("json", '{"name": "P",\n "start": }', "malformed JSON: Expecting value", 2),
    ("toml", 'name = "P"\nstart = \n', "malformed TOML: Invalid value", 2),
    ("json", "[1, 2]", "not a Pilotage plan: the document is a list, not an object", 1),
    ("json", '{"start": "2026-03-02"}', "Plan: name is required", 1),
    ("toml", 'name = "P"', "Plan: start is required", 1),
    (
        "toml",
        'name = "P"\nstart = "2 March"',
        "Plan: start '2 March' is not a date and time",
        2,
    ),
    (
        "toml",
        'name = "P"\nstart = 2026-03-02T08:00:00+01:00',
        "has a time zone; write the local time without one",
        2,
    ),
    (
        "toml",
        'name = "P"\nstart = 2026-03-02\nstrat = 1',
        "Plan: unknown field 'strat' (did you mean 'start'?)",
        3,
    ),
    (
        "toml",
        'name = "P"\nstart = 2026-03-02\n[[tasks]]\nuid = 7\nname = "A"\nduration = "3x"',
        "Task 7: duration '3x' is not a duration (write a number and a unit",
        6,
    ),
    (
        "json",
        '{"name": "P", "start": "2026-03-02", "tasks": [\n'
        '  {"uid": 7, "name": "A",\n'
        '   "duration": 3}]}',
        'Task 7: duration must be a text such as "5d", not a number',
        3,
    ),
    (
        "toml",
        'name = "P"\nstart = 2026-03-02\n[[tasks]]\nuid = 7\nname = "A"\n'
        'duration = "1d"\ndurration = "1d"',
        "Task 7: unknown field 'durration' (did you mean 'duration'?)",
        7,
    ),
    (
        "toml",
        'name = "P"\nstart = 2026-03-02\n[[tasks]]\nuid = 7\nname = "A"\nduration = "1d"\n'
        '[[tasks]]\nuid = 7\nname = "B"\nduration = "1d"',
        "Task 7: the UID is used by another task",
        8,
    ),
    (
        "toml",
        'name = "P"\nstart = 2026-03-02\n[[tasks]]\nname = "A"',
        "The task at tasks[0]: uid is required",
        3,
    ),
    (
        "toml",
        'name = "P"\nstart = 2026-03-02\n[[tasks]]\nuid = 1\nname = "A"\nduration = "1d"\n'
        '[[tasks]]\nuid = 2\nname = "B"\nduration = "1d"\n'
        'predecessors = ["1",\n  "9SS"]',
        "Task 2: predecessor 9 is not the UID of a task of the plan",
        11,
    ),
    (
        "toml",
        'name = "P"\nstart = 2026-03-02\n[[tasks]]\nuid = 1\nname = "A"\nduration = "1d"\n'
        'predecessors = ["1"]',
        "Task 1: a task cannot be its own predecessor",
        7,
    ),
    (
        "toml",
        'name = "P"\nstart = 2026-03-02\n[[tasks]]\nuid = 1\nname = "A"\nduration = "1d"\n'
        'predecessors = ["1XX"]',
        "Task 1: predecessor '1XX' is not a predecessor",
        7,
    ),
    (
        "json",
        '{"name": "P", "start": "2026-03-02", "tasks": [\n'
        ' {"uid": 1, "name": "A", "duration": "1d"},\n'
        ' {"uid": 2, "name": "B", "duration": "1d",\n'
        '  "predecessors": [{"task": 1, "lag": "two days"}]}]}',
        "Task 2: the lag 'two days' of the link from task 1 is not a lag",
        4,
    ),
    (
        "toml",
        'name = "P"\nstart = 2026-03-02\n[[tasks]]\nuid = 1\nname = "A"\nduration = "1d"\n'
        'constraint = "MSO"',
        "Task 1: a MSO constraint needs a constraint_date",
        7,
    ),
    (
        "toml",
        'name = "P"\nstart = 2026-03-02\n[[tasks]]\nuid = 1\nname = "A"\nduration = "1d"\n'
        'constraint = "SOON"',
        "Task 1: constraint 'SOON' is not one of ASAP, ALAP, MSO, MFO, SNET, SNLT, FNET, FNLT",
        7,
    ),
    (
        "toml",
        'name = "P"\nstart = 2026-03-02\n[[tasks]]\nuid = 1\nname = "A"\n'
        'duration = "2d"\n  [[tasks.tasks]]\n  uid = 2\n  name = "B"\n  duration = "1d"',
        "Task 1: duration is not allowed on a summary task: its dates come from its subtasks",
        6,
    ),
    (
        "toml",
        'name = "P"\nstart = 2026-03-02\n[[tasks]]\nuid = 1\nname = "A"\n'
        '  [[tasks.tasks]]\n  uid = 2\n  name = "B"\n  duration = "1d"\n'
        '  [[tasks.tasks]]\n  uid = 3\n  name = "C"\n  percent_complete = 20\n  duration = "1d"',
        "Task 3: actual_start is required by the progress (percent_complete)",
        13,
    ),
    (
        "toml",
        'name = "P"\nstart = 2026-03-02\n[[tasks]]\nuid = 1\nname = "A"',
        'Task 1: duration is required (e.g. "5d"), or "milestone": true for a milestone',
        3,
    ),
    (
        "toml",
        'name = "P"\nstart = 2026-03-02\n[[tasks]]\nuid = 1\nname = "A"\nduration = "1d"\n'
        "start = 2026-03-04",
        'Task 1: start is only for a manually scheduled task ("manual": true)',
        7,
    ),
    (
        "toml",
        'name = "P"\nstart = 2026-03-02\n[[tasks]]\nuid = 1\nname = "A"\nduration = "1d"\n'
        'calendar = "Night"',
        "Task 1: calendar 'Night' is not one of the plan's calendars (none)",
        7,
    ),
    (
        "toml",
        'name = "P"\nstart = 2026-03-02\n[[calendars]]\nname = "Night"\n'
        'week = { monday = ["22:00-06:00"] }',
        "Calendar 'Night': monday '22:00-06:00' must start before it ends, within 00:00-24:00",
        5,
    ),
    (
        "toml",
        'name = "P"\nstart = 2026-03-02\n[[calendars]]\nname = "A"\nbase = "B"\n'
        '[[calendars]]\nname = "B"\nbase = "A"',
        "Calendar 'B': the base calendars form a loop: A -> B -> A",
        8,
    ),
    (
        "toml",
        'name = "P"\nstart = 2026-03-02\n[[calendars]]\nname = "A"\nholidays = "XX"',
        "Calendar 'A': no public holidays are known for 'XX'",
        5,
    ),
    (
        "toml",
        'name = "P"\nstart = 2026-03-02\n[[calendars]]\nname = "A"\n'
        'exceptions = [{ start = "2026-12-26", finish = "2026-12-24" }]',
        "Calendar 'A': the exception '' finishes before it starts",
        5,
    ),
]


class TestErrors:
    @pytest.mark.parametrize(("syntax", "document", "message", "line"), ERRORS)
    def test_a_problem_names_the_file_the_line_and_the_field(
        self, syntax: str, document: str, message: str, line: int | None
    ) -> None:
        with pytest.raises(PlanFileError) as caught:
            parse_plan(document, format=syntax, name="plan")  # type: ignore[arg-type]
        error = caught.value
        assert message in error.problem
        assert (error.file, error.line) == ("plan", line)
        assert str(error).startswith(f"plan, line {line}: ")

    def test_a_file_that_is_not_utf8(self) -> None:
        with pytest.raises(PlanFileError, match=r"plan, line 2: the file is not UTF-8 text"):
            parse_plan(b'name = "P"\nstart = "\xe9"', format="toml", name="plan")


class TestReadPlanFile:
    def test_xml_goes_to_the_microsoft_project_reader(self) -> None:
        result = read_plan_file(MSPDI)
        assert result.format == "mspdi"
        assert result.plan.tasks

    def test_each_extension(self, tmp_path: Path) -> None:
        text = EXAMPLE.read_text()
        (tmp_path / "plan.TOML").write_text(text)
        (tmp_path / "plan.json").write_text(json.dumps(as_json(tomllib.loads(text))))
        (tmp_path / "plan.plan").write_text(json.dumps(as_json(tomllib.loads(text))))
        (tmp_path / "project").write_bytes(MSPDI.read_bytes())
        formats = [
            read_plan_file(tmp_path / name).format
            for name in ("plan.TOML", "plan.json", "plan.plan", "project")
        ]
        assert formats == ["toml", "json", "json", "mspdi"]

    def test_a_file_of_another_kind(self, tmp_path: Path) -> None:
        (tmp_path / "plan.txt").write_text("Design, then build")
        with pytest.raises(PlanFileError, match=r"plan.txt: not a plan file: name it \.xml"):
            read_plan_file(tmp_path / "plan.txt", name="plan.txt")

    @pytest.mark.parametrize("name", ["missing.json", "missing.toml", "missing.xml"])
    def test_a_missing_file(self, tmp_path: Path, name: str) -> None:
        with pytest.raises(PlanFileError, match=f"{name}: cannot be read: No such file"):
            read_plan_file(tmp_path / name, name=name)

    def test_a_binary_microsoft_project_file(self, tmp_path: Path) -> None:
        (tmp_path / "plan.mpp").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
        with pytest.raises(PlanFileError, match="binary Microsoft Project file"):
            read_plan_file(tmp_path / "plan.mpp")


class TestSchema:
    """docs/plan.schema.json describes exactly what the reader accepts."""

    schema: dict[str, Any] = json.loads(SCHEMA.read_text())

    def test_the_fields_are_the_readers(self) -> None:
        definitions = self.schema["$defs"]
        predecessor = next(
            option for option in definitions["predecessor"]["oneOf"] if "properties" in option
        )
        assert set(self.schema["properties"]) == PLAN_FIELDS
        assert set(definitions["task"]["properties"]) == TASK_FIELDS
        assert set(definitions["calendar"]["properties"]) == CALENDAR_FIELDS
        assert set(predecessor["properties"]) == PREDECESSOR_FIELDS
        assert set(self.schema["required"]) == {"name", "start"}
        assert set(definitions["task"]["required"]) == {"uid", "name"}

    @pytest.mark.parametrize(
        ("definition", "text", "valid"),
        [
            ("duration", "5d", True),
            ("duration", "2.5ed", True),
            ("duration", "3x", False),
            ("duration", "-1d", False),
            ("lag", "-1d", True),
            ("lag", "+50%", True),
            ("lag", "2", False),
        ],
    )
    def test_the_patterns_agree_with_the_reader(
        self, definition: str, text: str, valid: bool
    ) -> None:
        pattern = self.schema["$defs"][definition]["pattern"]
        assert bool(re.search(pattern, text)) is valid
        field = "duration" if definition == "duration" else "predecessors"
        value = f'"{text}"' if definition == "duration" else f'[{{ task = 1, lag = "{text}" }}]'
        document = (
            'name = "P"\nstart = 2026-03-02\n[[tasks]]\nuid = 1\nname = "A"\nduration = "1d"\n'
            f'[[tasks]]\nuid = 2\nname = "B"\nduration = "1d"\n{field} = {value}'
        ).replace('duration = "1d"\nduration', "duration")
        if valid:
            parse_plan(document, format="toml")
        else:
            with pytest.raises(PlanFileError):
                parse_plan(document, format="toml")

    def test_the_example_uses_only_documented_fields(self) -> None:
        document = tomllib.loads(EXAMPLE.read_text())
        assert set(document) <= set(self.schema["properties"])


class TestTheDocumentation:
    text = (ROOT / "docs" / "plan-format.md").read_text()

    def test_its_examples_are_valid_plans(self) -> None:
        blocks = re.findall(r"```(json|toml)\n(.*?)```", self.text, re.DOTALL)
        assert [syntax for syntax, _ in blocks] == ["toml", "json", "toml"]
        names = [parse_plan(body, format=syntax).plan.name for syntax, body in blocks]
        assert names == ["Office move", "Office move", "Website"]

    def test_its_toml_example_is_the_one_the_tests_schedule(self) -> None:
        example = re.search(r"```toml\n(.*?)```", self.text, re.DOTALL)
        assert example is not None
        fixture = EXAMPLE.read_text().split("\n", 1)[1]
        assert example.group(1) == fixture
