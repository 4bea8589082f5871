"""Microsoft Project XML round trip: reading what was written gives the document again.

The property: for a document in the form MSPDI holds (see :func:`documents`), reading the
written file gives the document back, with only what the file needs and the document lacked
added (the normalisation of :func:`with_what_the_file_needs`): the project summary task, the
project calendar, the task and project dates, the ``Name``/``Title`` properties, the format and
the save version, a lag unit where a link has none; the links grouped by successor, as MSPDI
keeps them under the successor task; and a derived calendar that a task uses made a base
calendar, as Microsoft Project wants. Nothing else the document had is lost or changed.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pilotage.engine.calendars import (
    Calendar,
    CalendarException,
    Daily,
    MonthlyByDay,
    MonthlyByWeekday,
    RecurrenceRule,
    RecurringException,
    Weekly,
    WeekPattern,
    WorkingPeriod,
    YearlyByDate,
    YearlyByWeekday,
)
from pilotage.engine.plan import (
    CONSTRAINT_TYPES,
    DURATION_FORMATS,
    ELAPSED_FORMATS,
    LINK_TYPES,
    PERCENT_FORMATS,
    DurationFormat,
    Plan,
    PlanCalendar,
    PlanLink,
    PlanTask,
)
from pilotage.interop.document import (
    CUSTOM_FIELD_KINDS,
    RESOURCE_KINDS,
    TASK_TYPES,
    BaselineValues,
    CustomField,
    CustomFieldKind,
    CustomFieldOwner,
    CustomValue,
    DocumentAssignment,
    DocumentResource,
    ProjectDocument,
    RateUnit,
    TaskDetails,
)
from pilotage.interop.mspdi import read_mspdi_document
from pilotage.interop.mspdi_fields import builtin_fields
from pilotage.interop.mspdi_writer import prepare_mspdi, write_mspdi

FIXTURES = Path(__file__).parent / "fixtures"
TASK_FORMATS: tuple[DurationFormat | None, ...] = (
    None,
    *(unit for unit in DURATION_FORMATS if unit not in PERCENT_FORMATS),
)
RATE_UNITS: tuple[RateUnit, ...] = ("m", "h", "d", "w", "mo", "y")
DATED = frozenset({"MSO", "MFO", "SNET", "SNLT", "FNET", "FNLT"})

# Texts as the reader gives them back: no surrounding spaces (MSPDI readers trim values), no
# characters XML 1.0 cannot hold; XML's own characters and line breaks inside are fine.
characters = st.characters(exclude_categories=("Cs", "Cc", "Cn", "Co")) | st.sampled_from(
    "&<>\"'\n\t\r"
)
texts = st.text(characters, max_size=12).map(str.strip)
words = texts.filter(bool)
moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31)).map(
    lambda moment: moment.replace(second=0, microsecond=0)
)
days = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))
minutes = st.integers(0, 20_000)
money = st.decimals(min_value=-1000, max_value=100_000, places=2)
amounts = st.decimals(min_value=0, max_value=10_000, places=4)
guids = st.uuids().map(lambda value: str(value).upper()) | st.just("")


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


@st.composite
def periods(draw: st.DrawFn) -> tuple[WorkingPeriod, ...]:
    bounds = sorted(draw(st.sets(st.integers(0, 48), min_size=2, max_size=6)))
    if len(bounds) % 2:
        bounds.pop()
    return tuple(
        WorkingPeriod(bounds[index] * 30, bounds[index + 1] * 30)
        for index in range(0, len(bounds), 2)
    )


day_periods = st.just(()) | st.just((WorkingPeriod(480, 720), WorkingPeriod(780, 1020))) | periods()


@st.composite
def weeks(draw: st.DrawFn) -> WeekPattern:
    week = [draw(day_periods) for _ in range(7)]
    week[0] = week[0] or (WorkingPeriod(480, 1020),)
    return WeekPattern(tuple(week))


# Rules Microsoft Project repeats on the dates the calendar model gives.
rules: st.SearchStrategy[RecurrenceRule] = st.one_of(
    st.builds(Daily, every=st.integers(2, 9)),
    st.builds(
        Weekly, st.sets(st.integers(0, 6), min_size=1).map(lambda found: tuple(sorted(found)))
    ),
    st.builds(MonthlyByDay, st.integers(1, 28)),
    st.builds(
        MonthlyByWeekday,
        st.integers(0, 6),
        st.sampled_from((1, 2, 3, 4, -1)),
        every=st.integers(1, 3),
    ),
    st.builds(YearlyByDate, st.integers(1, 12), st.integers(1, 28)),
    st.builds(
        YearlyByWeekday, st.integers(1, 12), st.integers(0, 6), st.sampled_from((1, 2, 3, 4, -1))
    ),
)


@st.composite
def recurring_exceptions(draw: st.DrawFn) -> RecurringException:
    first = draw(days)
    bound: dict[str, Any] = draw(
        st.fixed_dictionaries({"count": st.integers(1, 6)})
        | st.fixed_dictionaries(
            {"last": st.integers(0, 900).map(lambda span: first + timedelta(days=span))}
        )
    )
    exception = RecurringException(
        draw(texts), draw(st.just(()) | periods()), rule=draw(rules), first=first, **bound
    )
    assume(exception.occurrences(first, exception.last or date(first.year + 60, 1, 1)))
    return exception


@st.composite
def dated_exceptions(draw: st.DrawFn) -> CalendarException:
    start = draw(days)
    finish = start + timedelta(days=draw(st.integers(0, 5)))
    return CalendarException(start, finish, draw(st.just(()) | periods()), draw(texts))


def apart(
    exceptions: list[CalendarException], recurring: list[RecurringException]
) -> tuple[tuple[CalendarException, ...], tuple[RecurringException, ...]]:
    """The exceptions that fall on no date of an earlier one (Microsoft Project has no overlaps)."""
    taken: set[date] = set()
    kept: list[CalendarException | RecurringException] = []
    items: list[CalendarException | RecurringException] = [*exceptions, *recurring]
    for item in items:
        if isinstance(item, CalendarException):
            span = (item.finish - item.start).days + 1
            dates = {item.start + timedelta(days=offset) for offset in range(span)}
        else:
            first = item.first or date(2025, 1, 1)
            dates = set(item.occurrences(first, item.last or date(first.year + 60, 1, 1)))
        if not dates & taken:
            taken |= dates
            kept.append(item)
    return (
        tuple(item for item in kept if isinstance(item, CalendarException)),
        tuple(item for item in kept if isinstance(item, RecurringException)),
    )


@st.composite
def calendars(draw: st.DrawFn, day: int, month: int) -> tuple[PlanCalendar, ...]:
    uids = draw(st.lists(st.integers(1, 50), min_size=1, max_size=4, unique=True))
    built: list[PlanCalendar] = []
    for index, uid in enumerate(uids):
        # Resource calendars derive from base calendars, as in Microsoft Project.
        bases = [item for item in built if item.base_uid is None]
        base = draw(st.sampled_from(bases)) if bases and index and draw(st.booleans()) else None
        exceptions, recurring = apart(
            draw(st.lists(dated_exceptions(), max_size=3)),
            draw(st.lists(recurring_exceptions(), max_size=3)),
        )
        calendar = Calendar(
            draw(words),
            draw(weeks()) if base is None or draw(st.booleans()) else None,
            exceptions=exceptions,
            recurring=recurring,
            base=base.calendar if base else None,
            minutes_per_day=day,
            minutes_per_week=day * 5,
            days_per_month=month,
        )
        built.append(PlanCalendar(uid, calendar, base.uid if base else None))
    return tuple(built)


@st.composite
def baselines(draw: st.DrawFn, owner: CustomFieldOwner) -> tuple[BaselineValues, ...]:
    numbers = sorted(draw(st.sets(st.integers(0, 10), max_size=3)))
    found = []
    for number in numbers:
        unit = draw(optional(st.sampled_from(DURATION_FORMATS)))
        found.append(
            BaselineValues(
                number,
                start=draw(optional(moments)) if owner != "resource" else None,
                finish=draw(optional(moments)) if owner != "resource" else None,
                duration_minutes=draw(optional(minutes)) if owner == "task" else None,
                duration_format=unit if owner == "task" else None,
                work_minutes=draw(optional(minutes)),
                cost=draw(optional(money)),
            )
        )
    return tuple(found)


def custom_data(kind: CustomFieldKind) -> st.SearchStrategy[Any]:
    return {
        "text": words,
        "outline_code": words,
        "number": st.decimals(min_value=-10_000, max_value=10_000, places=3),
        "cost": money,
        "date": moments,
        "start": moments,
        "finish": moments,
        "duration": minutes,
        "flag": st.booleans(),
    }[kind]


@st.composite
def custom_field_sets(draw: st.DrawFn) -> tuple[CustomField, ...]:
    fields = []
    for owner in ("task", "resource", "assignment"):
        kinds = [
            kind for kind in CUSTOM_FIELD_KINDS if owner != "assignment" or kind != "outline_code"
        ]
        for kind in draw(st.lists(st.sampled_from(kinds), max_size=4, unique=True)):
            builtin = draw(st.sampled_from(builtin_fields(owner, kind)))
            fields.append(CustomField(builtin.key, owner, kind, draw(texts), builtin.field_id))
    return tuple(fields)


@st.composite
def custom_values(
    draw: st.DrawFn, fields: tuple[CustomField, ...], owner: CustomFieldOwner
) -> tuple[CustomValue, ...]:
    mine = [field for field in fields if field.owner == owner]
    chosen = draw(st.lists(st.sampled_from(mine), unique=True, max_size=4)) if mine else []
    return tuple(
        CustomValue(
            field.key,
            draw(custom_data(field.kind)),
            draw(optional(st.sampled_from(TASK_FORMATS[1:]))) if field.kind == "duration" else None,
        )
        for field in chosen
    )


@st.composite
def task_details(draw: st.DrawFn, fields: tuple[CustomField, ...]) -> TaskDetails:
    return TaskDetails(
        work_minutes=draw(optional(minutes)),
        actual_work_minutes=draw(optional(minutes)),
        remaining_work_minutes=draw(optional(minutes)),
        cost=draw(optional(money)),
        actual_cost=draw(optional(money)),
        fixed_cost=draw(optional(money)),
        task_type=draw(optional(st.sampled_from(TASK_TYPES))),
        effort_driven=draw(optional(st.booleans())),
        manual_start=draw(optional(moments)),
        manual_finish=draw(optional(moments)),
        manual_duration_minutes=draw(optional(minutes)),
        guid=draw(guids),
        hyperlink=draw(texts),
        hyperlink_address=draw(texts),
        baselines=draw(baselines("task")),
        custom_values=draw(custom_values(fields, "task")),
        external=draw(st.booleans()),
        external_project=draw(texts),
    )


@st.composite
def plan_tasks(
    draw: st.DrawFn, calendar_uids: list[int]
) -> tuple[tuple[PlanTask, ...], PlanTask | None]:
    count = draw(st.integers(1, 10))
    uids = draw(st.lists(st.integers(1, 500), min_size=count, max_size=count, unique=True))
    levels = [1]
    for _ in range(count - 1):
        levels.append(draw(st.integers(1, min(levels[-1] + 1, 4))))
    parents: list[int | None] = []
    stack: list[tuple[int, int]] = []
    for uid, level in zip(uids, levels, strict=True):
        while stack and stack[-1][0] >= level:
            stack.pop()
        parents.append(stack[-1][1] if stack else None)
        stack.append((level, uid))
    with_children = {parent for parent in parents if parent is not None}
    tasks = []
    for index, (uid, level, parent) in enumerate(zip(uids, levels, parents, strict=True)):
        tasks.append(
            draw(one_task(uid, index + 1, level, parent, uid in with_children, calendar_uids))
        )
    summary = None
    if draw(st.booleans()):
        summary = replace(
            draw(one_task(0, 0, 0, None, True, calendar_uids)),
            start=draw(moments),
            finish=draw(moments),
        )
    return tuple(tasks), summary


@st.composite
def one_task(
    draw: st.DrawFn,
    uid: int,
    row: int,
    level: int,
    parent: int | None,
    summary: bool,
    calendar_uids: list[int],
) -> PlanTask:
    unit = draw(st.sampled_from(TASK_FORMATS))
    constraint = draw(st.sampled_from(CONSTRAINT_TYPES))
    actual_start = draw(optional(moments))
    return PlanTask(
        uid=uid,
        id=draw(st.just(row) | st.none()) if uid else 0,
        name=draw(texts),
        outline_level=level,
        wbs=draw(texts),
        outline_number=draw(texts),
        parent_uid=parent,
        summary=summary,
        milestone=False if summary else draw(st.booleans()),
        manual=draw(st.booleans()),
        active=draw(st.booleans()),
        duration_minutes=draw(minutes),
        duration_format=unit,
        estimated=draw(st.booleans()),
        elapsed=unit in ELAPSED_FORMATS,
        constraint_type=constraint,
        constraint_date=draw(moments) if constraint in DATED else None,
        deadline=draw(optional(moments)),
        calendar_uid=draw(optional(st.sampled_from(calendar_uids))),
        priority=draw(st.integers(0, 1000)),
        percent_complete=float(draw(st.integers(0, 100))),
        actual_start=actual_start,
        actual_finish=(
            actual_start + timedelta(minutes=draw(minutes))
            if actual_start and draw(st.booleans())
            else None
        ),
        actual_duration_minutes=draw(optional(minutes)),
        remaining_duration_minutes=draw(optional(minutes)),
        notes=draw(texts),
        start=draw(optional(moments)),
        finish=draw(optional(moments)),
        early_start=draw(optional(moments)),
        early_finish=draw(optional(moments)),
        late_start=draw(optional(moments)),
        late_finish=draw(optional(moments)),
        total_slack_minutes=draw(optional(st.integers(-5000, 5000))),
        free_slack_minutes=draw(optional(minutes)),
        critical=draw(optional(st.booleans())),
        leveling_delay_minutes=draw(minutes),
        leveling_delay_format=draw(optional(st.sampled_from(DURATION_FORMATS))),
    )


@st.composite
def links(draw: st.DrawFn, uids: list[int]) -> tuple[PlanLink, ...]:
    pairs = [(first, second) for first in uids for second in uids if first != second]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=8)) if pairs else []
    outside = draw(st.lists(st.integers(90_000, 99_999), unique=True, max_size=2))
    found = []
    for predecessor, successor in [
        *chosen,
        *((uid, draw(st.sampled_from(uids))) for uid in outside),
    ]:
        unit = draw(st.sampled_from(DURATION_FORMATS))
        percent = unit in PERCENT_FORMATS
        found.append(
            PlanLink(
                predecessor,
                successor,
                draw(st.sampled_from(LINK_TYPES)),
                lag_minutes=0 if percent else draw(st.integers(-20_000, 20_000)),
                lag_format=unit,
                lag_percent=float(draw(st.integers(0, 300))) if percent else None,
                elapsed_lag=unit in ELAPSED_FORMATS,
                cross_project=predecessor >= 90_000,
                cross_project_name=(
                    f"{draw(texts)}\\{predecessor}" if predecessor >= 90_000 else ""
                ),
            )
        )
    return tuple(found)


@st.composite
def resources(
    draw: st.DrawFn, fields: tuple[CustomField, ...], calendar_uids: list[int]
) -> tuple[DocumentResource, ...]:
    uids = draw(st.lists(st.integers(1, 200), unique=True, max_size=4))
    return tuple(
        DocumentResource(
            uid=uid,
            id=draw(optional(st.integers(1, 200))),
            name=draw(texts),
            kind=draw(st.sampled_from(RESOURCE_KINDS)),
            initials=draw(texts),
            email=draw(texts),
            group=draw(texts),
            code=draw(texts),
            notes=draw(texts),
            material_label=draw(texts),
            max_units=draw(optional(st.decimals(min_value=0, max_value=10, places=2))),
            standard_rate=draw(optional(amounts)),
            standard_rate_unit=draw(st.sampled_from(RATE_UNITS)),
            overtime_rate=draw(optional(amounts)),
            overtime_rate_unit=draw(st.sampled_from(RATE_UNITS)),
            cost_per_use=draw(optional(money)),
            calendar_uid=draw(optional(st.sampled_from(calendar_uids))),
            generic=draw(st.booleans()),
            work_minutes=draw(optional(minutes)),
            actual_work_minutes=draw(optional(minutes)),
            cost=draw(optional(money)),
            actual_cost=draw(optional(money)),
            guid=draw(guids),
            baselines=draw(baselines("resource")),
            custom_values=draw(custom_values(fields, "resource")),
        )
        for uid in uids
    )


@st.composite
def assignments(
    draw: st.DrawFn,
    fields: tuple[CustomField, ...],
    task_uids: list[int],
    resource_uids: list[int],
) -> tuple[DocumentAssignment, ...]:
    if not resource_uids:
        return ()
    uids = draw(st.lists(st.integers(1, 300), unique=True, max_size=6))
    return tuple(
        DocumentAssignment(
            uid=uid,
            task_uid=draw(st.sampled_from(task_uids)),
            resource_uid=draw(st.sampled_from(resource_uids)),
            units=draw(optional(st.decimals(min_value=0, max_value=100, places=3))),
            work_minutes=draw(optional(minutes)),
            actual_work_minutes=draw(optional(minutes)),
            remaining_work_minutes=draw(optional(minutes)),
            cost=draw(optional(money)),
            actual_cost=draw(optional(money)),
            start=draw(optional(moments)),
            finish=draw(optional(moments)),
            actual_start=draw(optional(moments)),
            actual_finish=draw(optional(moments)),
            work_contour=draw(optional(st.integers(0, 8))),
            guid=draw(guids),
            baselines=draw(baselines("assignment")),
            custom_values=draw(custom_values(fields, "assignment")),
        )
        for uid in uids
    )


@st.composite
def documents(draw: st.DrawFn) -> ProjectDocument:
    """Random valid documents in the form MSPDI holds."""
    day = draw(st.sampled_from((480, 450, 420, 600)))
    month = draw(st.sampled_from((20, 22)))
    plan_calendars = draw(calendars(day, month))
    calendar_uids = [plan_calendar.uid for plan_calendar in plan_calendars]
    # Tasks and projects work on base calendars, resources on any (their own, derived ones).
    base_uids = [item.uid for item in plan_calendars if item.base_uid is None]
    tasks, summary = draw(plan_tasks(base_uids))
    task_uids = [task.uid for task in tasks]
    name = draw(words)
    plan = Plan(
        name=name,
        start=draw(optional(moments)),
        finish=draw(optional(moments)),
        schedule_from_start=draw(st.booleans()),
        status_date=draw(optional(moments)),
        current_date=draw(optional(moments)),
        calendar_uid=draw(optional(st.sampled_from(base_uids))),
        default_start_minute=draw(st.integers(0, 1439)),
        default_finish_minute=draw(st.integers(0, 1439)),
        honor_constraints=draw(optional(st.booleans())),
        currency_code=draw(texts),
        currency_symbol=draw(texts),
        calendars=plan_calendars,
        tasks=tasks,
        links=draw(links(task_uids)),
        project_summary=summary,
        minutes_per_day=day,
        minutes_per_week=day * 5,
        days_per_month=month,
    )
    fields = draw(custom_field_sets())
    detailed = [*task_uids, *((0,) if summary else ())]
    details = {
        uid: draw(task_details(fields))
        for uid in draw(st.lists(st.sampled_from(detailed), unique=True))
    }
    document_resources = draw(resources(fields, calendar_uids))
    properties = {
        key: draw(words)
        for key in draw(
            st.lists(
                st.sampled_from(("Name", "Subject", "Category", "Company", "Manager", "Author")),
                unique=True,
            )
        )
    }
    if draw(st.booleans()):
        properties["GUID"] = str(uuid.UUID(int=draw(st.integers(0, 2**128 - 1)))).upper()
        properties["CreationDate"] = draw(moments).isoformat()
        properties["LastSaved"] = draw(moments).isoformat()
        properties["Revision"] = str(draw(st.integers(0, 99)))
    return ProjectDocument(
        format=draw(st.sampled_from(("mspdi", "json", "gan"))),
        plan=plan,
        properties={"Title": name, **properties},
        custom_fields=fields,
        task_details={uid: item for uid, item in details.items() if item != TaskDetails()},
        resources=document_resources,
        assignments=draw(
            assignments(fields, task_uids, [resource.uid for resource in document_resources])
        ),
        save_version=draw(st.sampled_from((None, 12, 14))),
    )


def with_what_the_file_needs(
    document: ProjectDocument, prepared: ProjectDocument
) -> ProjectDocument:
    """The document with only what an MSPDI file needs and it lacked taken from ``prepared``."""
    plan, ready = document.plan, prepared.plan
    tasks = tuple(
        replace(ours, start=ours.start or made.start, finish=ours.finish or made.finish)
        for ours, made in zip(plan.tasks, ready.tasks, strict=True)
    )
    # Links live under their successor in MSPDI: they come back grouped in the tasks' order. A
    # lag needs a unit: days when the link has none (elapsed days for an elapsed lag).
    row = {task.uid: index for index, task in enumerate(plan.tasks)}
    plan_links = tuple(
        link if link.lag_format else replace(link, lag_format="ed" if link.elapsed_lag else "d")
        for link in sorted(plan.links, key=lambda link: row[link.successor_uid])
    )
    # Microsoft Project gives tasks and projects base calendars only: a derived calendar they use
    # is written as a base calendar holding what it inherits.
    on_base = {task.calendar_uid for task in (*plan.tasks, *filter(None, [plan.project_summary]))}
    on_base.add(plan.calendar_uid)
    plan_calendars = tuple(
        as_base_calendar(item) if item.base_uid is not None and item.uid in on_base else item
        for item in plan.calendars
    )
    if plan.calendar_uid is None:
        plan_calendars = (*plan_calendars, ready.calendars[-1])
    plan = replace(
        plan,
        start=plan.start or ready.start,
        finish=plan.finish or ready.finish,
        calendar_uid=ready.calendar_uid if plan.calendar_uid is None else plan.calendar_uid,
        calendars=plan_calendars,
        tasks=tasks,
        links=plan_links,
        project_summary=plan.project_summary or ready.project_summary,
    )
    properties = {"Name": plan.name, **document.properties, "Title": plan.name}
    return replace(
        document,
        format="mspdi",
        plan=plan,
        properties=properties,
        save_version=14,
        warnings=(),
        null_tasks=0,
    )


def as_base_calendar(plan_calendar: PlanCalendar) -> PlanCalendar:
    calendar = plan_calendar.calendar
    lineage: list[Calendar] = []
    ancestor = calendar.base
    while ancestor is not None:
        lineage.insert(0, ancestor)
        ancestor = ancestor.base
    exceptions = [item for each in (*lineage, calendar) for item in each.exceptions]
    recurring = [item for each in (*lineage, calendar) for item in each.recurring]
    return PlanCalendar(
        plan_calendar.uid,
        replace(
            calendar,
            week=calendar.effective_week,
            exceptions=tuple(exceptions),
            recurring=tuple(recurring),
            base=None,
        ),
    )


def assert_made_up_things_are_sound(document: ProjectDocument, prepared: ProjectDocument) -> None:
    plan = prepared.plan
    assert all(task.start is not None and task.finish is not None for task in plan.tasks)
    assert plan.start is not None
    assert plan.finish is not None
    assert plan.project_summary is not None
    assert plan.project_summary.uid == 0
    if document.plan.project_summary is None:
        assert (plan.project_summary.start, plan.project_summary.finish) == (
            plan.start,
            plan.finish,
        )
    if document.plan.calendar_uid is None:
        assert plan.calendars_by_uid[plan.calendar_uid or 0].calendar.week == WeekPattern.standard()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(documents())
def test_reading_what_was_written_gives_the_document_back(document: ProjectDocument) -> None:
    prepared = prepare_mspdi(document)
    # Nothing the document holds is lost or changed: only what the file needs is added.
    assert prepared == with_what_the_file_needs(document, prepared)
    assert_made_up_things_are_sound(document, prepared)
    again = read_mspdi_document(write_mspdi(document), name="written.xml")
    assert again.warnings == ()
    assert again == prepared


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
def test_each_fixture_read_written_and_read_again_is_the_same(fixture: str) -> None:
    first = read_mspdi_document(FIXTURES / fixture)
    prepared = prepare_mspdi(first)
    assert prepared == with_what_the_file_needs(first, prepared)
    again = read_mspdi_document(write_mspdi(first), name="written.xml")
    assert again.warnings == ()
    assert again == prepared
    # Writing what was read back changes nothing more.
    assert read_mspdi_document(write_mspdi(again), name="again.xml") == again
