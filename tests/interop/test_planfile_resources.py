"""Resources and assignments in Pilotage's plan files: read, checked, written back, imported."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pilotage.engine.plan import Plan, PlanTask
from pilotage.interop.document import (
    RESOURCE_KINDS,
    CapacityStep,
    DocumentAssignment,
    DocumentResource,
    ProjectDocument,
)
from pilotage.interop.errors import PlanFileError
from pilotage.interop.formats import read_project_file
from pilotage.interop.mspdi import read_mspdi_document
from pilotage.interop.planfile import (
    ASSIGNMENT_FIELDS,
    CAPACITY_FIELDS,
    RESOURCE_FIELDS,
    PlanReadResult,
    parse_plan,
    read_plan_file,
    write_plan,
)
from tests.interop.test_planfile_writer import moments, names, plans, texts

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "docs" / "plan.schema.json"
GUIDE = ROOT / "docs" / "plan-format.md"
MSPDI_RESOURCES = Path(__file__).parent / "fixtures" / "mspdi-resources.xml"
FORMATS: tuple[Literal["json"], Literal["toml"]] = ("json", "toml")
Format = Literal["json", "toml"]

HEADER = 'name = "P"\nstart = 2026-03-02\n\n[[calendars]]\nname = "Office"\n'


def example() -> str:
    """The resources example of docs/plan-format.md."""
    blocks: list[str] = re.findall(r"```toml\n(.*?)```", GUIDE.read_text(), re.DOTALL)
    return next(block for block in blocks if "[[resources]]" in block)


def read(text: str, format: Format = "toml") -> PlanReadResult:
    return parse_plan(text, format=format, name=f"plan.{format}")


def with_resources(resources: str, assigned: str = "") -> PlanReadResult:
    """A plan with these ``[[resources]]`` tables and task 1 assigned as ``assigned`` says."""
    task = '\n[[tasks]]\nuid = 1\nname = "A"\nduration = "2d"\n'
    return read(HEADER + resources + task + (f"resources = {assigned}\n" if assigned else ""))


def by_key(result: PlanReadResult) -> dict[str, DocumentResource]:
    return {resource.key: resource for resource in result.resources}


class TestReading:
    def test_the_guides_example(self) -> None:
        result = read(example())
        resources = by_key(result)
        assert list(resources) == ["alice", "bob", "designer", "paper"]
        assert [resource.uid for resource in result.resources] == [1, 2, 3, 4]
        alice = resources["alice"]
        assert (alice.name, alice.kind, alice.email) == (
            "Alice Martin",
            "work",
            "alice@example.com",
        )
        assert (alice.standard_rate, alice.standard_rate_unit) == (Decimal(400), "d")
        office = result.plan.calendars_by_uid[alice.calendar_uid or 0]
        assert office.calendar.name == "Office"
        assert alice.max_units is None
        assert resources["designer"].generic
        paper = resources["paper"]
        assert (paper.kind, paper.material_label, paper.standard_rate) == (
            "material",
            "ream",
            Decimal("4.5"),
        )
        uid = {resource.key: resource.uid for resource in result.resources}
        assert [
            (item.uid, item.task_uid, item.resource_uid, item.units, item.work_minutes)
            for item in result.assignments
        ] == [
            (1, 1, uid["alice"], None, None),
            (2, 1, uid["designer"], Decimal("0.5"), None),
            (3, 2, uid["bob"], Decimal("0.5"), 2400),
            (4, 2, uid["alice"], Decimal("0.25"), None),
            (5, 3, uid["alice"], None, None),
            (6, 3, uid["paper"], Decimal(20), None),
        ]

    def test_bob_goes_half_time_in_june(self) -> None:
        bob = by_key(read(example()))["bob"]
        assert bob.capacity == (
            CapacityStep(None, Decimal(1)),
            CapacityStep(datetime(2026, 6, 1), Decimal("0.5")),
        )
        assert bob.max_units == 1

    def test_json_reads_as_toml(self) -> None:
        document = tomllib.loads(example())

        def plain(value: Any) -> Any:
            if isinstance(value, dict):
                return {key: plain(item) for key, item in value.items()}
            if isinstance(value, list):
                return [plain(item) for item in value]
            return value.isoformat() if hasattr(value, "isoformat") else value

        from_json = read(json.dumps(plain(document)), "json")
        from_toml = read(example())
        assert from_json.resources == from_toml.resources
        assert from_json.assignments == from_toml.assignments

    @pytest.mark.parametrize(
        ("assigned", "units", "work"),
        [
            ('["r"]', None, None),
            ('["r:50%"]', Decimal("0.5"), None),
            ('["r: 150 %"]', Decimal("1.5"), None),
            ('["r:0.25"]', Decimal("0.25"), None),
            ('["r:2"]', Decimal(2), None),
            ('["r:0"]', Decimal(0), None),
            ('[{ resource = "r", units = 0.5 }]', Decimal("0.5"), None),
            ('[{ resource = "r", units = 1 }]', Decimal(1), None),
            ('[{ resource = "r", units = "75%", work = "3d" }]', Decimal("0.75"), 1440),
            ('[{ resource = "r", work = "1.5h" }]', None, 90),
            ('[{ resource = "r", work = "1w" }]', None, 2400),
        ],
    )
    def test_assignment_forms(self, assigned: str, units: Decimal | None, work: int | None) -> None:
        result = with_resources('[[resources]]\nid = "r"\n', assigned)
        (assignment,) = result.assignments
        assert (assignment.task_uid, assignment.resource_uid) == (1, 1)
        assert (assignment.units, assignment.work_minutes) == (units, work)

    def test_work_follows_the_plans_minutes_per_day(self) -> None:
        result = read(
            'name = "P"\nstart = 2026-03-02\nminutes_per_day = 450\n[[resources]]\nid = "r"\n'
            '[[tasks]]\nuid = 1\nname = "A"\nduration = "2d"\n'
            'resources = [{ resource = "r", work = "2d" }]\n'
        )
        assert result.assignments[0].work_minutes == 900

    def test_assignments_are_numbered_in_outline_order(self) -> None:
        result = read(
            'name = "P"\nstart = 2026-03-02\n'
            '[[resources]]\nid = "a"\n[[resources]]\nid = "b"\n'
            '[[tasks]]\nuid = 10\nname = "Phase"\nresources = ["b"]\n'
            '  [[tasks.tasks]]\n  uid = 11\n  name = "Step"\n  duration = "1d"\n'
            '  resources = ["a", "b"]\n'
            '[[tasks]]\nuid = 5\nname = "Last"\nduration = "1d"\nresources = ["a"]\n'
        )
        assert [(item.uid, item.task_uid, item.resource_uid) for item in result.assignments] == [
            (1, 10, 2),
            (2, 11, 1),
            (3, 11, 2),
            (4, 5, 1),
        ]

    def test_defaults(self) -> None:
        (resource,) = with_resources("[[resources]]\nid = 7\n").resources
        assert resource == DocumentResource(uid=1, id=1, name="7", key="7")

    @pytest.mark.parametrize(
        ("max_units", "expected"),
        [("1", Decimal(1)), ("0.5", Decimal("0.5")), ('"50%"', Decimal("0.5")), ("3", Decimal(3))],
    )
    def test_max_units(self, max_units: str, expected: Decimal) -> None:
        (resource,) = with_resources(
            f'[[resources]]\nid = "r"\nmax_units = {max_units}\n'
        ).resources
        assert (resource.max_units, resource.capacity) == (expected, ())

    def test_capacity_steps(self) -> None:
        (resource,) = with_resources(
            '[[resources]]\nid = "r"\nmax_units = [\n'
            '  { from = 2026-03-02, units = "50%" },\n'
            '  { from = "2026-04-01T13:00", units = 2 },\n'
            "  { from = 2026-05-01T08:00:00, units = 0 },\n]\n"
        ).resources
        assert resource.capacity == (
            CapacityStep(datetime(2026, 3, 2), Decimal("0.5")),
            CapacityStep(datetime(2026, 4, 1, 13), Decimal(2)),
            CapacityStep(datetime(2026, 5, 1, 8), Decimal(0)),
        )
        assert resource.max_units == 2

    @pytest.mark.parametrize(
        ("rate", "amount", "unit"),
        [
            ("55", Decimal(55), "h"),
            ("55.25", Decimal("55.25"), "h"),
            ('"55.25"', Decimal("55.25"), "h"),
            ('"400/d"', Decimal(400), "d"),
            ('"2000 / w"', Decimal(2000), "w"),
            ('"8000/mo"', Decimal(8000), "mo"),
            ('"60000/y"', Decimal(60000), "y"),
            ('"1/m"', Decimal(1), "m"),
        ],
    )
    def test_rates(self, rate: str, amount: Decimal, unit: str) -> None:
        (resource,) = with_resources(
            f'[[resources]]\nid = "r"\nstandard_rate = {rate}\novertime_rate = {rate}\n'
            'cost_per_use = "12.50"\n'
        ).resources
        assert (resource.standard_rate, resource.standard_rate_unit) == (amount, unit)
        assert (resource.overtime_rate, resource.overtime_rate_unit) == (amount, unit)
        assert resource.cost_per_use == Decimal("12.50")

    def test_every_field(self) -> None:
        (resource,) = with_resources(
            '[[resources]]\nid = "crane-2"\nname = "Crane"\ntype = "material"\n'
            'calendar = "Office"\nemail = "yard@example.com"\ngroup = "Yard"\ngeneric = true\n'
            'initials = "CR"\ncode = "EQ-2"\nmaterial_label = "h"\nnotes = "Book a week ahead"\n'
        ).resources
        assert resource == DocumentResource(
            uid=1,
            id=1,
            name="Crane",
            kind="material",
            initials="CR",
            email="yard@example.com",
            group="Yard",
            code="EQ-2",
            notes="Book a week ahead",
            material_label="h",
            calendar_uid=1,
            generic=True,
            key="crane-2",
        )

    def test_resources_may_come_after_the_tasks(self) -> None:
        result = read(
            '{"name": "P", "start": "2026-03-02", "tasks": [{"uid": 1, "name": "A", '
            '"duration": "1d", "resources": ["r:50%"]}], "resources": [{"id": "r"}]}',
            "json",
        )
        assert result.assignments[0].units == Decimal("0.5")


class TestMistakes:
    """Each mistake names the file, the line, the resource or task and the problem."""

    @pytest.mark.parametrize(
        ("resources", "assigned", "line", "message"),
        [
            (
                '[[resources]]\nid = "bob"\n',
                '["bobby:50%"]',
                13,
                "Task 1: resource 'bobby' is not one of the plan's resources (did you mean 'bob'?)",
            ),
            (
                '[[resources]]\nid = "ann"\n[[resources]]\nid = "bob"\n',
                '[{ resource = "zed" }]',
                15,
                "Task 1: resource 'zed' is not one of the plan's resources ('ann', 'bob')",
            ),
            (
                "",
                '["bob"]',
                11,
                "Task 1: resource 'bob' is not one of the plan's resources (the plan has none: "
                "list them under resources)",
            ),
            (
                '[[resources]]\nid = "bob"\n[[resources]]\nid = "bob"\n',
                "",
                9,
                "Resource 'bob': the id is used by another resource",
            ),
            (
                '[[resources]]\nid = "bob"\n',
                '["bob:-50%"]',
                13,
                "Task 1: units must not be negative, not '-50%'",
            ),
            (
                '[[resources]]\nid = "bob"\n',
                '[{ resource = "bob", units = -0.5 }]',
                13,
                "Task 1: units must not be negative, not -0.5",
            ),
            (
                '[[resources]]\nid = "bob"\nmax_units = -1\n',
                "",
                8,
                "Resource 'bob': max_units must not be negative, not -1",
            ),
            (
                '[[resources]]\nid = "bob"\n',
                '["bob:lots"]',
                13,
                "Task 1: units 'lots' is not units",
            ),
            (
                '[[resources]]\nid = "bob"\n',
                '["bob", "bob:50%"]',
                13,
                "Task 1: resource 'bob' is assigned twice",
            ),
            (
                '[[resources]]\nid = "bob"\n',
                '[{ resource = "bob", work = "2ed" }]',
                13,
                "Task 1: work '2ed' must be working time",
            ),
            (
                '[[resources]]\nid = "bob"\n',
                '[{ resource = "bob", hours = "2d" }]',
                13,
                "Task 1: unknown field 'hours'",
            ),
            (
                '[[resources]]\nid = "bob"\n',
                "[3]",
                13,
                "Task 1: an assignment must be a text or an object, not a number",
            ),
            (
                '[[resources]]\nname = "Bob"\n',
                "",
                6,
                "The resource at resources[0]: id is required",
            ),
            (
                '[[resources]]\nid = "Bob Durand"\n',
                "",
                7,
                "id 'Bob Durand' is not a short name without spaces or colons",
            ),
            (
                '[[resources]]\nid = "bob"\ntype = "person"\n',
                "",
                8,
                "Resource 'bob': type 'person' is not one of work, material, cost",
            ),
            (
                '[[resources]]\nid = "bob"\nemial = "bob@example.com"\n',
                "",
                8,
                "Resource 'bob': unknown field 'emial' (did you mean 'email'?)",
            ),
            (
                '[[resources]]\nid = "bob"\ncalendar = "Night"\n',
                "",
                8,
                "Resource 'bob': calendar 'Night' is not one of the plan's calendars",
            ),
            (
                '[[resources]]\nid = "bob"\nstandard_rate = "400 per day"\n',
                "",
                8,
                "Resource 'bob': standard_rate '400 per day' is not a rate",
            ),
            (
                '[[resources]]\nid = "bob"\nstandard_rate = -5\n',
                "",
                8,
                "Resource 'bob': standard_rate must not be negative",
            ),
            (
                '[[resources]]\nid = "bob"\ncost_per_use = "-5"\n',
                "",
                8,
                "Resource 'bob': cost_per_use must not be negative",
            ),
        ],
    )
    def test_a_mistake(self, resources: str, assigned: str, line: int, message: str) -> None:
        with pytest.raises(PlanFileError) as caught:
            with_resources(resources, assigned)
        assert message in str(caught.value)
        assert caught.value.file == "plan.toml"
        assert caught.value.line == line

    @pytest.mark.parametrize(
        ("steps", "message"),
        [
            (
                "[\n  { from = 2026-06-01, units = 1 },\n  { from = 2026-05-01, units = 0.5 },\n]",
                "the steps of max_units must come in order of date: 2026-05-01 00:00 is not "
                "after 2026-06-01 00:00",
            ),
            (
                "[\n  { from = 2026-06-01, units = 1 },\n  { from = 2026-06-01, units = 0 },\n]",
                "the steps of max_units must come in order of date: 2026-06-01 00:00 is not "
                "after 2026-06-01 00:00",
            ),
            (
                "[\n  { units = 1 },\n  { units = 0.5 },\n]",
                "only the first step of max_units may leave out its from date",
            ),
            ("[\n  { from = 2026-06-01 },\n]", "a step of max_units needs its units"),
            (
                '[\n  { from = 2026-06-01, units = "-10%" },\n]',
                "units must not be negative, not '-10%'",
            ),
            ("[]", "max_units must have at least one step when it is a list"),
            ("[0.5]", "a step of max_units must be an object"),
            ("[\n  { start = 2026-06-01, units = 1 },\n]", "unknown field 'start'"),
            ('[\n  { from = "June", units = 1 },\n]', "from 'June' is not a date and time"),
            ('[\n  { from = "2026-13-01", units = 1 },\n]', "from '2026-13-01' is not a date"),
        ],
    )
    def test_bad_capacity_steps(self, steps: str, message: str) -> None:
        with pytest.raises(PlanFileError) as caught:
            with_resources(f'[[resources]]\nid = "bob"\nmax_units = {steps}\n')
        assert f"Resource 'bob': {message}" in str(caught.value)
        assert caught.value.line == 8  # where max_units starts

    def test_a_bad_step_in_json_names_its_own_line(self) -> None:
        text = (
            '{\n  "name": "P",\n  "start": "2026-03-02",\n  "resources": [{\n'
            '    "id": "bob",\n    "max_units": [\n      {"units": 1},\n'
            '      {"units": -2}\n    ]\n  }]\n}\n'
        )
        with pytest.raises(PlanFileError) as caught:
            read(text, "json")
        assert str(caught.value) == (
            "plan.json, line 8: Resource 'bob': units must not be negative, not -2"
        )

    def test_json_mistakes_name_the_line_too(self) -> None:
        text = (
            '{\n  "name": "P",\n  "start": "2026-03-02",\n  "resources": [\n'
            '    {"id": "bob"}\n  ],\n  "tasks": [\n    {\n      "uid": 4,\n'
            '      "name": "A",\n      "duration": "1d",\n'
            '      "resources": ["bob", "carol"]\n    }\n  ]\n}\n'
        )
        with pytest.raises(PlanFileError) as caught:
            read(text, "json")
        assert str(caught.value) == (
            "plan.json, line 12: Task 4: resource 'carol' is not one of the plan's resources "
            "('bob')"
        )


class TestImport:
    def test_a_plan_file_brings_its_resources_into_the_document(self) -> None:
        document = read_project_file(example().encode(), "website.toml")
        assert document.format == "toml"
        assert document.counts() == {
            "tasks": 3,
            "links": 2,
            "resources": 4,
            "assignments": 6,
            "calendars": 1,
        }
        assert document.resources == read(example()).resources

    def test_read_plan_file(self, tmp_path: Path) -> None:
        path = tmp_path / "website.toml"
        path.write_text(example())
        result = read_plan_file(path)
        assert len(result.resources) == 4
        assert len(result.assignments) == 6


# Writing: what the format keeps of a document's resources and assignments.


def normalise(
    plan: Plan, resources: list[DocumentResource], assignments: list[DocumentAssignment]
) -> tuple[list[DocumentResource], list[DocumentAssignment]]:
    """The resources and assignments as written and read back, as docs/plan-format.md lists it
    (for resources whose keys are valid and unique or all empty: the made keys are tested apart).
    """
    calendar_uids = {item.uid: index + 1 for index, item in enumerate(plan.calendars)}
    kept: list[DocumentResource] = []
    new_uid: dict[int, int] = {}
    for resource in resources:
        if resource.uid in new_uid:
            continue
        uid = len(kept) + 1
        new_uid[resource.uid] = uid
        steps = tuple(
            CapacityStep(
                None if step.start is None else step.start.replace(second=0, microsecond=0),
                step.units,
            )
            for step in resource.capacity
        )
        kept.append(
            DocumentResource(
                uid=uid,
                id=uid,
                name=resource.name if resource.name.strip() else resource.key,
                kind=resource.kind,
                initials=resource.initials,
                email=resource.email,
                group=resource.group,
                code=resource.code,
                notes=resource.notes,
                material_label=resource.material_label,
                max_units=max(step.units for step in steps) if steps else resource.max_units,
                standard_rate=resource.standard_rate,
                standard_rate_unit=resource.standard_rate_unit
                if resource.standard_rate is not None
                else "h",
                overtime_rate=resource.overtime_rate,
                overtime_rate_unit=resource.overtime_rate_unit
                if resource.overtime_rate is not None
                else "h",
                cost_per_use=resource.cost_per_use,
                calendar_uid=None
                if resource.calendar_uid is None
                else calendar_uids.get(resource.calendar_uid),
                generic=resource.generic,
                key=resource.key,
                capacity=steps,
            )
        )
    order = outline_order(plan)
    by_task: dict[int, list[DocumentAssignment]] = {}
    for assignment in assignments:
        if assignment.task_uid not in order or assignment.resource_uid not in new_uid:
            continue
        on_task = by_task.setdefault(assignment.task_uid, [])
        if all(other.resource_uid != assignment.resource_uid for other in on_task):
            on_task.append(assignment)
    written = [
        DocumentAssignment(
            uid=0,
            task_uid=item.task_uid,
            resource_uid=new_uid[item.resource_uid],
            units=item.units,
            work_minutes=item.work_minutes,
        )
        for uid in order
        for item in by_task.get(uid, ())
    ]
    return kept, [replace(item, uid=index) for index, item in enumerate(written, 1)]


def outline_order(plan: Plan) -> list[int]:
    uids = {task.uid for task in plan.tasks}
    children: dict[int | None, list[PlanTask]] = {}
    for task in plan.tasks:
        children.setdefault(task.parent_uid if task.parent_uid in uids else None, []).append(task)
    order: list[int] = []

    def walk(parent: int | None) -> None:
        for task in children.get(parent, ()):
            order.append(task.uid)
            walk(task.uid)

    walk(None)
    return order


amounts = st.decimals(0, 10**6, places=4) | st.sampled_from(
    [Decimal("0.10000000000000000001"), Decimal("1E+3"), Decimal("12345678901234567.5")]
)
KEYS = ("alice", "bob", "crane-2", "r.1", "Ünal", "7", "x_y")


@st.composite
def capacities(draw: st.DrawFn) -> tuple[CapacityStep, ...]:
    starts = sorted(
        moment.replace(second=0, microsecond=0)
        for moment in draw(st.lists(moments, max_size=3, unique=True))
    )
    starts = [moment for index, moment in enumerate(starts) if moment not in starts[:index]]
    first: list[datetime | None] = [None] if draw(st.booleans()) or not starts else []
    return tuple(CapacityStep(start, draw(amounts)) for start in [*first, *starts])


@st.composite
def documents(draw: st.DrawFn) -> ProjectDocument:
    plan = draw(plans())
    calendar_uids = [item.uid for item in plan.calendars]
    count = draw(st.integers(0, 5))
    keyed = draw(st.booleans())
    keys = draw(st.lists(st.sampled_from(KEYS), min_size=count, max_size=count, unique=True))
    uids = draw(st.lists(st.integers(0, 999), min_size=count, max_size=count, unique=True))
    resources = []
    for key, uid in zip(keys, uids, strict=True):
        capacity = draw(st.just(()) | capacities())
        resources.append(
            DocumentResource(
                uid=uid,
                id=draw(st.none() | st.integers(0, 99)),
                name=draw(names | st.sampled_from(["", "Alice Martin"])),
                kind=draw(st.sampled_from(RESOURCE_KINDS)),
                initials=draw(texts),
                email=draw(st.sampled_from(["", "ann@example.com"])),
                group=draw(texts),
                code=draw(texts),
                notes=draw(st.sampled_from(["", 'Line one\nline "two"'])),
                material_label=draw(st.sampled_from(["", "t"])),
                max_units=max(step.units for step in capacity)
                if capacity
                else draw(st.none() | amounts),
                standard_rate=draw(st.none() | amounts),
                standard_rate_unit=draw(st.sampled_from(["m", "h", "d", "w", "mo", "y"])),
                overtime_rate=draw(st.none() | amounts),
                overtime_rate_unit=draw(st.sampled_from(["h", "d"])),
                cost_per_use=draw(st.none() | amounts),
                calendar_uid=draw(st.none() | st.sampled_from(calendar_uids))
                if calendar_uids
                else None,
                generic=draw(st.booleans()),
                work_minutes=draw(st.none() | st.integers(0, 10**6)),
                cost=draw(st.none() | amounts),
                guid=draw(st.sampled_from(["", "{0F5E}"])),
                key=key if keyed else "",
                capacity=capacity,
            )
        )
    task_uids = [task.uid for task in plan.tasks] + [10**7]
    resource_uids = [resource.uid for resource in resources] + [5000]
    assignments = [
        DocumentAssignment(
            uid=draw(st.integers(0, 10**6)),
            task_uid=draw(st.sampled_from(task_uids)),
            resource_uid=draw(st.sampled_from(resource_uids)),
            units=draw(st.none() | amounts),
            work_minutes=draw(st.none() | st.integers(0, 10**6)),
            cost=draw(st.none() | amounts),
            start=draw(st.none() | moments),
        )
        for _ in range(draw(st.integers(0, 8)))
    ]
    return ProjectDocument(
        format="json", plan=plan, resources=tuple(resources), assignments=tuple(assignments)
    )


def write(document: ProjectDocument, format: Format) -> str:
    return write_plan(
        document.plan,
        format=format,
        resources=document.resources,
        assignments=document.assignments,
    )


class TestWriting:
    @settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(document=documents())
    def test_written_resources_read_back_the_same(self, document: ProjectDocument) -> None:
        for format in FORMATS:
            written = write(document, format)
            read_back = read(written, format)
            keys = [resource.key for resource in read_back.resources]
            assert len(set(keys)) == len(keys)
            assert all(key and ":" not in key and " " not in key for key in keys)
            named = tuple(
                replace(resource, key=key)
                for resource, key in zip(document.resources, keys, strict=True)
            )
            expected = normalise(document.plan, list(named), list(document.assignments))
            assert (list(read_back.resources), list(read_back.assignments)) == expected, written
            again = write_plan(
                read_back.plan,
                format=format,
                resources=read_back.resources,
                assignments=read_back.assignments,
            )
            assert again == written

    @pytest.mark.parametrize("format", FORMATS)
    def test_a_microsoft_project_file_with_resources(self, format: Format) -> None:
        document = read_mspdi_document(MSPDI_RESOURCES)
        assert len(document.resources) == 4
        read_back = read(write(document, format), format)
        keys = [resource.key for resource in read_back.resources]
        assert keys == ["noor-haddad", "floor-tiles", "skip-hire", "electrician"]
        named = [
            replace(resource, key=key)
            for resource, key in zip(document.resources, keys, strict=True)
        ]
        expected = normalise(document.plan, named, list(document.assignments))
        assert (list(read_back.resources), list(read_back.assignments)) == expected
        noor = read_back.resources[0]
        assert (noor.max_units, noor.standard_rate, noor.standard_rate_unit) == (
            Decimal("0.5"),
            Decimal(360),
            "d",
        )

    def test_the_guides_example_is_what_the_writer_writes(self) -> None:
        result = read(example())
        written = write_plan(
            result.plan, format="toml", resources=result.resources, assignments=result.assignments
        )
        assert written == example()

    def test_keys_are_made_from_names(self) -> None:
        plan = Plan(
            name="P",
            start=datetime(2026, 3, 2, 8),
            tasks=(PlanTask(uid=1, id=1, name="A", duration_minutes=480),),
        )
        resources = [
            DocumentResource(uid=1, id=1, name="Alice Martin"),
            DocumentResource(uid=2, id=2, name="Alice Martin"),
            DocumentResource(uid=3, id=3, name="Bob", key="has space"),
            DocumentResource(uid=4, id=4, name="  "),
            DocumentResource(uid=5, id=5, name="Zoë: lead", key="zoe"),
            DocumentResource(uid=6, id=6, name="Other Zoë", key="zoe"),
        ]
        assignments = [
            DocumentAssignment(uid=9, task_uid=1, resource_uid=2, units=Decimal("0.5")),
            DocumentAssignment(uid=8, task_uid=1, resource_uid=2, units=Decimal(1)),
            DocumentAssignment(uid=7, task_uid=1, resource_uid=5, work_minutes=600),
            DocumentAssignment(uid=6, task_uid=2, resource_uid=5),
            DocumentAssignment(uid=5, task_uid=1, resource_uid=99),
        ]
        document = json.loads(write_plan(plan, resources=resources, assignments=assignments))
        assert [entry["id"] for entry in document["resources"]] == [
            "alice-martin",
            "alice-martin-2",
            "bob",
            "resource-4",
            "zoe",
            "other-zoë",
        ]
        assert document["tasks"][0]["resources"] == [
            "alice-martin-2:50%",
            {"resource": "zoe", "work": "10h"},
        ]

    def test_units_are_percentages_of_people_and_quantities_of_materials(self) -> None:
        plan = Plan(
            name="P",
            start=datetime(2026, 3, 2, 8),
            tasks=(PlanTask(uid=1, id=1, name="A", duration_minutes=480),),
        )
        resources = [
            DocumentResource(uid=1, id=1, name="Ann", key="ann"),
            DocumentResource(uid=2, id=2, name="Sand", key="sand", kind="material"),
        ]
        assignments = [
            DocumentAssignment(uid=1, task_uid=1, resource_uid=1, units=Decimal("1.25")),
            DocumentAssignment(uid=2, task_uid=1, resource_uid=2, units=Decimal("12.5")),
        ]
        written = write_plan(plan, format="toml", resources=resources, assignments=assignments)
        assert 'resources = ["ann:125%", "sand:12.5"]' in written


class TestSchema:
    schema: dict[str, Any] = json.loads(SCHEMA.read_text())

    def test_the_fields_are_the_readers(self) -> None:
        definitions = self.schema["$defs"]
        assignment = next(
            option for option in definitions["assignment"]["oneOf"] if "properties" in option
        )
        assert set(definitions["resource"]["properties"]) == RESOURCE_FIELDS
        assert set(definitions["capacityStep"]["properties"]) == CAPACITY_FIELDS
        assert set(assignment["properties"]) == ASSIGNMENT_FIELDS
        assert definitions["resource"]["required"] == ["id"]

    def test_resources_are_written_in_the_schemas_order(self) -> None:
        order = list(self.schema["$defs"]["resource"]["properties"])
        resource = DocumentResource(
            uid=1,
            id=1,
            name="Ann",
            kind="material",
            initials="A",
            email="a@example.com",
            group="G",
            code="C",
            notes="N",
            material_label="t",
            max_units=Decimal(2),
            standard_rate=Decimal(1),
            overtime_rate=Decimal(2),
            cost_per_use=Decimal(3),
            calendar_uid=1,
            generic=True,
            key="ann",
        )
        plan = read(HEADER).plan
        (entry,) = json.loads(write_plan(plan, resources=[resource]))["resources"]
        assert list(entry) == order

    @pytest.mark.parametrize(
        ("definition", "text", "valid"),
        [
            ("units", "50%", True),
            ("units", "0.5", True),
            ("units", "-1", False),
            ("units", "half", False),
            ("rate", "400/d", True),
            ("rate", "12.5", True),
            ("rate", "400/day", False),
            ("amount", "12.50", True),
            ("amount", "-3", False),
        ],
    )
    def test_the_patterns_agree_with_the_reader(
        self, definition: str, text: str, valid: bool
    ) -> None:
        text_form = next(
            option for option in self.schema["$defs"][definition]["oneOf"] if "pattern" in option
        )
        assert bool(re.search(text_form["pattern"], text)) is valid
        field = {"units": "max_units", "rate": "standard_rate", "amount": "cost_per_use"}
        resources = f'[[resources]]\nid = "r"\n{field[definition]} = "{text}"\n'
        if valid:
            with_resources(resources)
        else:
            with pytest.raises(PlanFileError):
                with_resources(resources)

    @pytest.mark.parametrize(
        ("text", "valid"),
        [("alice", True), ("bob:50%", True), ("bob: 0.5", True), ("bob:-1", False), (":5", False)],
    )
    def test_the_assignment_pattern_agrees_with_the_reader(self, text: str, valid: bool) -> None:
        string_form = self.schema["$defs"]["assignment"]["oneOf"][0]
        assert bool(re.search(string_form["pattern"], text)) is valid
        resources = '[[resources]]\nid = "alice"\n[[resources]]\nid = "bob"\n'
        if valid:
            with_resources(resources, json.dumps([text]))
        else:
            with pytest.raises(PlanFileError):
                with_resources(resources, json.dumps([text]))


@pytest.mark.django_db
class TestImportIntoPilotage:
    """``pilotage import website.toml`` creates the resources and the assignments."""

    def test_resources_and_assignments_are_stored(self, world: Any) -> None:
        from pilotage.exchange import services
        from pilotage.resources.models import Assignment, Resource

        run = services.import_upload(
            actor=world.admin, data=example().encode(), file_name="website.toml"
        )
        assert run.summary["counts"]["resources"] == 4
        result = services.import_apply(
            actor=world.admin, run=run, portfolio=world.portfolio, code="WEB", name=""
        )
        assert (result.resources_created, result.assignments) == (4, 6)
        alice = Resource.objects.get(name="Alice Martin")
        assert (alice.email, alice.standard_rate, alice.standard_rate_unit) == (
            "alice@example.com",
            Decimal(400),
            "d",
        )
        assert alice.calendar is not None
        assert alice.calendar.name == "Office"
        assert Resource.objects.get(name="Designer").is_generic
        rows = {
            (row.task.name, row.resource.name): (row.units, row.work_minutes)
            for row in Assignment.objects.filter(project=result.project).select_related(
                "task", "resource"
            )
        }
        assert rows[("Build", "Bob Durand")] == (Decimal("0.5"), 2400)
        assert rows[("Design", "Designer")] == (Decimal("0.5"), None)
        assert rows[("Print the guide", "paper")] == (Decimal(20), None)
        assert rows[("Design", "Alice Martin")] == (Decimal(1), None)


def test_capacity_starts_at_midnight_and_runs_to_the_next_step() -> None:
    """A date alone in a step is its midnight; the writer writes such a step as a date again."""
    (resource,) = with_resources(
        '[[resources]]\nid = "r"\nmax_units = [{ from = 2026-06-01, units = 1 }]\n'
    ).resources
    assert resource.capacity[0].start == datetime(2026, 6, 1)
    plan = read(HEADER).plan
    written = write_plan(plan, format="toml", resources=[resource])
    assert "max_units = [{ from = 2026-06-01, units = 1 }]" in written
    later = replace(resource, capacity=(CapacityStep(datetime(2026, 6, 1, 13, 30), Decimal(1)),))
    assert "from = 2026-06-01T13:30:00" in write_plan(plan, format="toml", resources=[later])
