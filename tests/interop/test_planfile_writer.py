"""Writing plan files: a plan written as JSON or TOML reads back to the same plan."""

from __future__ import annotations

import json
import tomllib
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import pytest
from hypothesis import HealthCheck, given, settings
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
    ELAPSED_FORMATS,
    LINK_TYPES,
    PERCENT_FORMATS,
    DurationFormat,
    Plan,
    PlanCalendar,
    PlanLink,
    PlanTask,
)
from pilotage.engine.schedule_plan import schedule_plan
from pilotage.interop.mspdi import read_mspdi
from pilotage.interop.planfile import RECURRING_FIELDS, parse_plan, write_plan
from pilotage.interop.planfile_writer import SCHEMA_URL

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "docs" / "plan.schema.json"
MSPDI = Path(__file__).parent / "fixtures" / "office-move.xml"
FORMATS: tuple[Literal["json"], Literal["toml"]] = ("json", "toml")
Format = Literal["json", "toml"]


def round_trip(plan: Plan, format: Format) -> Plan:
    return parse_plan(write_plan(plan, format=format), format=format, name="plan").plan


# The normalisation: what the format keeps of a plan, as docs/plan-format.md lists it.


def minute(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.replace(second=0, microsecond=0)


def written_unit(minutes: int, unit: DurationFormat | None, elapsed: bool, day: int) -> str:
    """The unit a duration or lag is written in: its own, else the largest exact one."""
    if unit is not None and unit not in PERCENT_FORMATS:
        return unit
    if elapsed:
        return "ed" if minutes % 1440 == 0 else "eh" if minutes % 60 == 0 else "em"
    return "d" if minutes % day == 0 else "h" if minutes % 60 == 0 else "m"


def normal_leveling_delay(task: PlanTask, day: int) -> dict[str, Any]:
    """A leveling delay as it reads back: in its unit, else elapsed (the default)."""
    minutes = task.leveling_delay_minutes
    if not minutes:
        return {}
    unit = task.leveling_delay_format
    elapsed = unit is None or unit in ELAPSED_FORMATS
    return {
        "leveling_delay_minutes": minutes,
        "leveling_delay_format": written_unit(minutes, unit, elapsed, day),
    }


def normalise(plan: Plan) -> Plan:
    """The plan as the format keeps it (computed values dropped, the reader's defaults applied).

    Covers plans whose names are unique and not blank and that have a project calendar when
    they have calendars; the other normalisations have their own tests below.
    """
    uids = {item.uid: index + 1 for index, item in enumerate(plan.calendars)}
    calendars: dict[int, PlanCalendar] = {}
    for item in plan.calendars:
        source = item.calendar
        base_uid = None if item.base_uid is None else uids[item.base_uid]
        base = None if base_uid is None else calendars[base_uid].calendar
        inherited = WeekPattern.standard() if base is None else base.effective_week
        week = source.week if base is not None else source.effective_week
        calendar = Calendar(
            source.name,
            None if week == inherited else week,
            exceptions=source.exceptions,
            recurring=source.recurring,
            holiday_country=None
            if source.holiday_country is None
            else source.holiday_country.upper(),
            holiday_subdivision=source.holiday_subdivision,
            base=base,
            minutes_per_day=plan.minutes_per_day,
            minutes_per_week=plan.minutes_per_week,
            days_per_month=plan.days_per_month,
        )
        uid = uids[item.uid]
        calendars[uid] = PlanCalendar(uid, calendar, base_uid)

    children: dict[int | None, list[PlanTask]] = {}
    for task in plan.tasks:
        children.setdefault(task.parent_uid, []).append(task)
    tasks: list[PlanTask] = []

    def walk(parent: int | None, prefix: str) -> None:
        for index, task in enumerate(children.get(parent, ()), 1):
            number = f"{prefix}.{index}" if prefix else str(index)
            tasks.append(normal_task(task, number, len(tasks) + 1, task.uid in children))
            walk(task.uid, number)

    def normal_task(task: PlanTask, number: str, row: int, summary: bool) -> PlanTask:
        constraint, constraint_date = task.constraint_type, minute(task.constraint_date)
        if summary and constraint not in ("ASAP", "ALAP", "SNET", "FNLT"):
            constraint, constraint_date = "ASAP", None
        if constraint in ("ASAP", "ALAP"):
            constraint_date = None
        common: dict[str, Any] = {
            "uid": task.uid,
            "id": row if task.id is None else task.id,
            "name": task.name,
            "outline_level": number.count(".") + 1,
            "wbs": task.wbs or number,
            "outline_number": number,
            "parent_uid": task.parent_uid,
            "summary": summary,
            "active": task.active,
            "constraint_type": constraint,
            "constraint_date": constraint_date,
            "deadline": minute(task.deadline),
            "priority": task.priority,
            "notes": task.notes,
        }
        if summary:
            return PlanTask(**common)
        duration, unit, elapsed = task.duration_minutes, task.duration_format, task.elapsed
        shows_remaining = task.actual_start is not None and (
            task.remaining_duration_minutes is not None
        )
        if duration == 0 and elapsed:
            unit = (unit if unit not in PERCENT_FORMATS else None) or "ed"
        elif duration == 0 and not shows_remaining:
            unit = None
        else:
            unit = written_unit(duration, unit, elapsed, plan.minutes_per_day)  # type: ignore[assignment]
        started = task.actual_start is not None
        manual = task.manual and task.start is not None
        return PlanTask(
            **common,
            milestone=task.milestone or duration == 0,
            manual=manual,
            duration_minutes=duration,
            duration_format=unit,
            elapsed=elapsed,
            calendar_uid=None if task.calendar_uid is None else uids[task.calendar_uid],
            percent_complete=task.percent_complete if started else 0.0,
            actual_start=minute(task.actual_start),
            actual_finish=minute(task.actual_finish) if started else None,
            remaining_duration_minutes=task.remaining_duration_minutes if started else None,
            start=minute(task.start) if manual else None,
            **normal_leveling_delay(task, plan.minutes_per_day),
        )

    walk(None, "")
    position = {task.uid: index for index, task in enumerate(tasks)}
    links = []
    for link in sorted(plan.links, key=lambda link: position[link.successor_uid]):
        if link.cross_project or link.predecessor_uid == link.successor_uid:
            continue
        kind = (link.predecessor_uid, link.successor_uid, link.type)
        if link.lag_format in PERCENT_FORMATS and link.lag_percent:
            elapsed = link.lag_format == "e%"
            links.append(PlanLink(*kind, 0, link.lag_format, link.lag_percent, elapsed))
        elif link.lag_minutes:
            unit = written_unit(
                abs(link.lag_minutes), link.lag_format, link.elapsed_lag, plan.minutes_per_day
            )
            links.append(
                PlanLink(*kind, link.lag_minutes, unit, None, unit in ELAPSED_FORMATS)  # type: ignore[arg-type]
            )
        else:
            links.append(PlanLink(*kind))
    return Plan(
        name=plan.name,
        start=minute(plan.start),
        status_date=minute(plan.status_date),
        calendar_uid=None if plan.calendar_uid is None else uids[plan.calendar_uid],
        minutes_per_day=plan.minutes_per_day,
        minutes_per_week=plan.minutes_per_week,
        days_per_month=plan.days_per_month,
        default_start_minute=plan.default_start_minute,
        default_finish_minute=plan.default_finish_minute,
        calendars=tuple(calendars.values()),
        tasks=tuple(tasks),
        links=tuple(links),
    )


# Random valid plans, with the computed values an importer keeps.

texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
names = texts.filter(lambda text: bool(text.strip()))
moments = st.datetimes(datetime(2020, 1, 1), datetime(2035, 12, 31))
days = st.dates(date(2020, 1, 1), date(2035, 12, 31))
UNITS: tuple[DurationFormat, ...] = ("m", "em", "h", "eh", "d", "ed", "w", "ew", "mo", "emo")


@st.composite
def periods(draw: st.DrawFn) -> tuple[WorkingPeriod, ...]:
    count = draw(st.integers(0, 2))
    bounds = sorted(draw(st.sets(st.integers(0, 1440), min_size=2 * count, max_size=2 * count)))
    return tuple(WorkingPeriod(bounds[i], bounds[i + 1]) for i in range(0, len(bounds), 2))


@st.composite
def weeks(draw: st.DrawFn) -> WeekPattern:
    week = WeekPattern.standard()
    for weekday in draw(st.sets(st.integers(0, 6))):
        week = week.with_day(weekday, draw(periods()))
    return week


@st.composite
def exceptions(draw: st.DrawFn) -> CalendarException:
    start = draw(days)
    finish = start + timedelta(days=draw(st.integers(0, 20)))
    return CalendarException(start, finish, draw(periods()), draw(texts))


rules: st.SearchStrategy[RecurrenceRule] = st.one_of(
    st.builds(Daily, st.integers(1, 4)),
    st.builds(
        Weekly, st.lists(st.integers(0, 6), min_size=1, max_size=3).map(tuple), st.integers(1, 3)
    ),
    st.builds(MonthlyByDay, st.integers(1, 31), st.integers(1, 3)),
    st.builds(
        MonthlyByWeekday, st.integers(0, 6), st.sampled_from((1, 2, 3, 4, -1)), st.integers(1, 2)
    ),
    st.builds(YearlyByDate, st.integers(1, 12), st.integers(1, 28)),
    st.builds(
        YearlyByWeekday, st.integers(1, 12), st.integers(0, 6), st.sampled_from((1, 2, 3, 4, -1))
    ),
)


@st.composite
def recurring_exceptions(draw: st.DrawFn) -> RecurringException:
    rule = draw(rules)
    first = draw(st.none() | days)
    if first is None and getattr(rule, "every", 1) > 1:
        first = draw(days)
    last = None if first is None else draw(st.none() | st.just(first + timedelta(days=400)))
    count = None if first is None else draw(st.none() | st.integers(1, 50))
    return RecurringException(
        draw(texts),
        draw(periods()),
        rule=rule,
        first=first,
        last=last,
        count=count,
        span_days=draw(st.integers(1, 3)),
    )


@st.composite
def calendar_lists(draw: st.DrawFn) -> list[PlanCalendar]:
    labels = draw(st.lists(names, max_size=3, unique=True))
    uids = draw(
        st.lists(st.integers(0, 999), min_size=len(labels), max_size=len(labels), unique=True)
    )
    built: list[PlanCalendar] = []
    for label, uid in zip(labels, uids, strict=True):
        base = draw(st.none() | st.sampled_from(built)) if built else None
        holidays = draw(st.sampled_from([(None, None), ("FR", None), ("DE", "BY"), ("GB", None)]))
        calendar = Calendar(
            label,
            draw(st.none() | weeks()),
            exceptions=tuple(draw(st.lists(exceptions(), max_size=2))),
            recurring=tuple(draw(st.lists(recurring_exceptions(), max_size=2))),
            holiday_country=holidays[0],
            holiday_subdivision=holidays[1],
            base=None if base is None else base.calendar,
        )
        built.append(PlanCalendar(uid, calendar, None if base is None else base.uid))
    return built


@st.composite
def lags(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["none", "minutes", "percent"]))
    if kind == "percent":
        percent = draw(st.sampled_from(["%", "e%"]))
        value = draw(st.floats(-300, 300, allow_nan=False, allow_infinity=False))
        return {"lag_format": percent, "lag_percent": value, "elapsed_lag": percent == "e%"}
    if kind == "minutes":
        unit = draw(st.none() | st.sampled_from(UNITS))
        elapsed = unit in ELAPSED_FORMATS if unit is not None else draw(st.booleans())
        value = draw(st.integers(-20_000, 20_000))
        return {"lag_minutes": value, "lag_format": unit, "elapsed_lag": elapsed}
    return draw(
        st.sampled_from([{}, {"lag_format": "d"}, {"lag_format": "eh", "elapsed_lag": True}])
    )


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    minutes_per_day = draw(st.sampled_from([480, 450, 600, 1440]))
    calendars = draw(calendar_lists())
    calendar_uids = [item.uid for item in calendars]
    count = draw(st.integers(0, 8))
    uids = draw(st.lists(st.integers(0, 10**6), min_size=count, max_size=count, unique=True))
    tasks: list[PlanTask] = []
    stack: list[PlanTask] = []  # the open summary tasks, outermost first
    for uid in uids:
        depth = draw(st.integers(0, len(stack)))
        del stack[depth:]
        parent = stack[-1].uid if stack else None
        unit = draw(st.none() | st.sampled_from((*UNITS, "%")))
        elapsed = unit in ELAPSED_FORMATS if unit is not None else draw(st.booleans())
        constraint = draw(st.sampled_from(CONSTRAINT_TYPES))
        dated = constraint not in ("ASAP", "ALAP")
        actual_start = draw(st.none() | moments)
        actual_finish = None
        if actual_start is not None:
            actual_finish = draw(st.none() | st.just(actual_start + timedelta(hours=30)))
        task = PlanTask(
            uid=uid,
            id=draw(st.none() | st.integers(0, 50)),
            name=draw(names),
            outline_level=len(stack) + 1,
            wbs=draw(st.sampled_from(["", "A.1", "7"])),
            parent_uid=parent,
            milestone=draw(st.booleans()),
            manual=draw(st.booleans()),
            active=draw(st.booleans()),
            duration_minutes=draw(st.integers(0, 50_000)),
            duration_format=unit,
            estimated=draw(st.booleans()),
            elapsed=elapsed,
            constraint_type=constraint,
            constraint_date=draw(moments if dated else st.none() | moments),
            deadline=draw(st.none() | moments),
            calendar_uid=draw(st.none() | st.sampled_from(calendar_uids)) if calendars else None,
            priority=draw(st.integers(0, 1000)),
            percent_complete=draw(st.sampled_from([0.0, 100.0]) | st.floats(0, 100)),
            actual_start=actual_start,
            actual_finish=actual_finish,
            remaining_duration_minutes=draw(st.none() | st.integers(0, 10_000)),
            leveling_delay_minutes=draw(st.sampled_from([0, 0, 60, 480, 1440, 2000])),
            leveling_delay_format=draw(st.none() | st.sampled_from(["d", "h", "ed", "eh", "w"])),
            notes=draw(st.sampled_from(["", 'Line one\nline "two"\r\n\\end']) | texts),
            start=draw(st.none() | moments),
            finish=draw(st.none() | moments),
            early_start=draw(st.none() | moments),
            total_slack_minutes=draw(st.none() | st.integers(-100, 100)),
            critical=draw(st.none() | st.booleans()),
        )
        tasks.append(task)
        stack.append(task)
    for index, task in enumerate(tasks):
        if any(other.parent_uid == task.uid for other in tasks):
            tasks[index] = replace(task, summary=True)
    links = []
    if tasks:
        for _ in range(draw(st.integers(0, 6))):
            predecessor = draw(st.sampled_from(tasks)).uid
            successor = draw(st.sampled_from(tasks)).uid
            cross = draw(st.booleans()) and draw(st.booleans()) and draw(st.booleans())
            links.append(
                PlanLink(
                    predecessor,
                    successor,
                    draw(st.sampled_from(LINK_TYPES)),
                    cross_project=cross,
                    **draw(lags()),
                )
            )
    return Plan(
        name=draw(names),
        start=draw(moments),
        finish=draw(st.none() | moments),
        status_date=draw(st.none() | moments),
        current_date=draw(st.none() | moments),
        calendar_uid=draw(st.sampled_from(calendar_uids)) if calendars else None,
        minutes_per_day=minutes_per_day,
        minutes_per_week=draw(st.sampled_from([minutes_per_day * 5, 2400, 3000])),
        days_per_month=draw(st.sampled_from([20, 21, 22])),
        default_start_minute=draw(st.sampled_from([480, 540, 510])),
        default_finish_minute=draw(st.sampled_from([1020, 1080, 1440])),
        currency_code=draw(st.sampled_from(["", "EUR"])),
        calendars=tuple(calendars),
        tasks=tuple(tasks),
        links=tuple(links),
    )


class TestRoundTrip:
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(plan=plans())
    def test_a_written_plan_reads_back_the_same(self, plan: Plan) -> None:
        expected = normalise(plan)
        for format in FORMATS:
            written = write_plan(plan, format=format)
            read = parse_plan(written, format=format).plan
            assert read == expected, written
            assert write_plan(read, format=format) == written

    @pytest.mark.parametrize("format", FORMATS)
    def test_a_started_zero_duration_task_keeps_the_unit_of_what_remains(
        self, format: Format
    ) -> None:
        started = PlanTask(
            uid=1,
            id=1,
            name="Sign-off",
            duration_minutes=0,
            duration_format="m",
            actual_start=datetime(2026, 3, 2, 8),
            remaining_duration_minutes=0,
        )
        plan = Plan(name="P", start=datetime(2026, 3, 2, 8), tasks=(started,))
        written = write_plan(plan, format=format)
        assert write_plan(parse_plan(written, format=format).plan, format=format) == written

    def test_a_realistic_microsoft_project_file(self) -> None:
        plan = read_mspdi(MSPDI).plan
        expected = normalise(plan)
        for format in FORMATS:
            assert round_trip(plan, format) == expected

    @pytest.mark.parametrize("format", FORMATS)
    def test_the_written_plan_schedules_the_same(self, format: Format) -> None:
        original = schedule_plan(read_mspdi(MSPDI).plan)
        written = schedule_plan(round_trip(read_mspdi(MSPDI).plan, format))
        assert written.uids.tolist() == original.uids.tolist()
        for key in (
            "early_start",
            "early_finish",
            "late_start",
            "late_finish",
            "free_float_minutes",
        ):
            assert getattr(written, key).tolist() == getattr(original, key).tolist(), key
        assert written.total_float_minutes.tolist() == original.total_float_minutes.tolist()


# A plan with something of everything, and the files written for it.

OFFICE = Calendar(
    "Office",
    WeekPattern.standard().with_day(4, [WorkingPeriod(480, 720)]),
    exceptions=(CalendarException(date(2026, 3, 13), date(2026, 3, 13), (), "Stock"),),
    recurring=(
        RecurringException("Year end", rule=YearlyByDate(12, 24), span_days=8),
        RecurringException(
            "Team day",
            (WorkingPeriod(540, 720),),
            rule=Weekly((2,), every=2),
            first=date(2026, 1, 7),
        ),
    ),
    holiday_country="FR",
    days_per_month=21,
)
MOVERS = Calendar(
    "Movers",
    OFFICE.effective_week.with_day(5, [WorkingPeriod(480, 720)]),
    base=OFFICE,
    days_per_month=21,
)
GOLDEN_PLAN = Plan(
    name="Office move",
    start=datetime(2026, 3, 2, 8),
    status_date=datetime(2026, 3, 4, 17),
    finish=datetime(2026, 3, 24, 17),
    calendar_uid=1,
    days_per_month=21,
    calendars=(PlanCalendar(1, OFFICE), PlanCalendar(2, MOVERS, 1)),
    tasks=(
        PlanTask(uid=1, id=1, name="Preparation", wbs="1", outline_number="1", summary=True),
        PlanTask(
            uid=2,
            id=2,
            name="Choose the movers",
            outline_level=2,
            wbs="1.1",
            outline_number="1.1",
            parent_uid=1,
            duration_minutes=1440,
            duration_format="d",
            percent_complete=50.0,
            actual_start=datetime(2026, 3, 2, 8),
            notes='Ask for "two" quotes\nand compare them',
            start=datetime(2026, 3, 2, 8),
            total_slack_minutes=0,
        ),
        PlanTask(
            uid=3,
            id=3,
            name="Pack",
            outline_level=2,
            wbs="1.2",
            outline_number="1.2",
            parent_uid=1,
            duration_minutes=2400,
            duration_format="w",
            priority=700,
        ),
        PlanTask(
            uid=4,
            id=4,
            name="Move",
            wbs="M",
            outline_number="2",
            duration_minutes=960,
            duration_format="d",
            calendar_uid=2,
            constraint_type="MFO",
            constraint_date=datetime(2026, 3, 17, 17),
        ),
        PlanTask(
            uid=5,
            id=5,
            name="Dry the paint",
            wbs="3",
            outline_number="3",
            duration_minutes=3 * 1440,
            duration_format="ed",
            elapsed=True,
            manual=True,
            start=datetime(2026, 3, 18, 9, 30),
            deadline=datetime(2026, 3, 20, 17),
        ),
        PlanTask(
            uid=6,
            id=6,
            name="Open",
            wbs="4",
            outline_number="4",
            milestone=True,
            constraint_type="SNET",
            constraint_date=datetime(2026, 3, 23, 8),
        ),
    ),
    links=(
        PlanLink(2, 3, "SS", 480, "d"),
        PlanLink(3, 4),
        PlanLink(2, 4, "FF", -240, "h"),
        PlanLink(4, 5, "FS", 720, "eh", elapsed_lag=True),
        PlanLink(5, 6, "SF", lag_format="%", lag_percent=50.0),
    ),
)

GOLDEN_TOML = '''\
name = "Office move"
start = 2026-03-02
status_date = 2026-03-04
calendar = "Office"
days_per_month = 21

[[calendars]]
name = "Office"
week = { friday = ["08:00-12:00"] }
holidays = "FR"
exceptions = [
  { name = "Stock", start = 2026-03-13 },
]
recurring = [
  { name = "Year end", month = 12, day = 24, days = 8 },
  { name = "Team day", repeat = "weekly", every = 2, weekdays = ["wednesday"], \
start = 2026-01-07, hours = ["09:00-12:00"] },
]

[[calendars]]
name = "Movers"
base = "Office"
week = { saturday = ["08:00-12:00"] }

[[tasks]]
uid = 1
name = "Preparation"

  [[tasks.tasks]]
  uid = 2
  name = "Choose the movers"
  duration = "3d"
  percent_complete = 50
  actual_start = 2026-03-02
  notes = """
Ask for \\"two\\" quotes
and compare them"""

  [[tasks.tasks]]
  uid = 3
  name = "Pack"
  duration = "1w"
  priority = 700
  predecessors = ["2SS+1d"]

[[tasks]]
uid = 4
name = "Move"
wbs = "M"
duration = "2d"
calendar = "Movers"
constraint = "MFO"
constraint_date = 2026-03-17
predecessors = ["3", "2FF-4h"]

[[tasks]]
uid = 5
name = "Dry the paint"
duration = "3ed"
deadline = 2026-03-20
manual = true
start = 2026-03-18T09:30:00
predecessors = ["4FS+12eh"]

[[tasks]]
uid = 6
name = "Open"
milestone = true
constraint = "SNET"
constraint_date = 2026-03-23
predecessors = ["5SF+50%"]
'''

GOLDEN_JSON = """\
{
  "$schema": "https://pilotage.readthedocs.io/plan.schema.json",
  "name": "Office move",
  "start": "2026-03-02",
  "status_date": "2026-03-04",
  "calendar": "Office",
  "days_per_month": 21,
  "calendars": [
    {
      "name": "Office",
      "week": {
        "friday": ["08:00-12:00"]
      },
      "holidays": "FR",
      "exceptions": [
        {"name": "Stock", "start": "2026-03-13"}
      ],
      "recurring": [
        {"name": "Year end", "month": 12, "day": 24, "days": 8},
        {"name": "Team day", "repeat": "weekly", "every": 2, "weekdays": ["wednesday"], \
"start": "2026-01-07", "hours": ["09:00-12:00"]}
      ]
    },
    {
      "name": "Movers",
      "base": "Office",
      "week": {
        "saturday": ["08:00-12:00"]
      }
    }
  ],
  "tasks": [
    {
      "uid": 1,
      "name": "Preparation",
      "tasks": [
        {
          "uid": 2,
          "name": "Choose the movers",
          "duration": "3d",
          "percent_complete": 50,
          "actual_start": "2026-03-02",
          "notes": "Ask for \\"two\\" quotes\\nand compare them"
        },
        {
          "uid": 3,
          "name": "Pack",
          "duration": "1w",
          "priority": 700,
          "predecessors": ["2SS+1d"]
        }
      ]
    },
    {
      "uid": 4,
      "name": "Move",
      "wbs": "M",
      "duration": "2d",
      "calendar": "Movers",
      "constraint": "MFO",
      "constraint_date": "2026-03-17",
      "predecessors": ["3", "2FF-4h"]
    },
    {
      "uid": 5,
      "name": "Dry the paint",
      "duration": "3ed",
      "deadline": "2026-03-20",
      "manual": true,
      "start": "2026-03-18T09:30:00",
      "predecessors": ["4FS+12eh"]
    },
    {
      "uid": 6,
      "name": "Open",
      "milestone": true,
      "constraint": "SNET",
      "constraint_date": "2026-03-23",
      "predecessors": ["5SF+50%"]
    }
  ]
}
"""


class TestGoldenExample:
    @pytest.mark.parametrize(("format", "expected"), [("toml", GOLDEN_TOML), ("json", GOLDEN_JSON)])
    def test_the_file_written(self, format: Format, expected: str) -> None:
        assert write_plan(GOLDEN_PLAN, format=format) == expected

    @pytest.mark.parametrize("format", FORMATS)
    def test_it_reads_back_to_the_plan(self, format: Format) -> None:
        plan = round_trip(GOLDEN_PLAN, format)
        assert plan == normalise(GOLDEN_PLAN)
        assert plan.tasks == tuple(
            replace(task, start=task.start if task.manual else None, total_slack_minutes=None)
            for task in GOLDEN_PLAN.tasks
        )
        assert plan.links == GOLDEN_PLAN.links
        assert plan.calendars == GOLDEN_PLAN.calendars

    def test_keys_come_in_the_schemas_order(self) -> None:
        schema = json.loads(SCHEMA.read_text())
        definitions = schema["$defs"]
        document = json.loads(write_plan(GOLDEN_PLAN))

        def in_order(item: dict[str, Any], definition: dict[str, Any]) -> bool:
            order = list(definition["properties"])
            return [order.index(key) for key in item] == sorted(order.index(key) for key in item)

        def tasks(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [each for item in items for each in (item, *tasks(item.get("tasks", [])))]

        assert in_order(document, schema)
        for calendar in document["calendars"]:
            assert in_order(calendar, definitions["calendar"])
            for recurring in calendar.get("recurring", []):
                assert in_order(recurring, definitions["recurringException"])
        for task in tasks(document["tasks"]):
            assert in_order(task, definitions["task"])

    def test_json_is_plain_json_with_the_schema(self) -> None:
        document = json.loads(write_plan(GOLDEN_PLAN))
        assert document["$schema"] == SCHEMA_URL
        assert list(document) == [
            "$schema",
            "name",
            "start",
            "status_date",
            "calendar",
            "days_per_month",
            "calendars",
            "tasks",
        ]


class TestLayout:
    def test_a_long_week_is_a_table_of_its_own_in_toml(self) -> None:
        night = (WorkingPeriod(0, 360), WorkingPeriod(1320, 1440))
        week = WeekPattern(
            ((WorkingPeriod(1320, 1440),), night, night, night, night, (WorkingPeriod(0, 360),), ())
        )
        plan = Plan(
            name="P",
            start=datetime(2026, 3, 2, 8),
            calendar_uid=1,
            calendars=(PlanCalendar(1, Calendar("Night", week)),),
        )
        written = write_plan(plan, format="toml")
        assert written.endswith(
            '[[calendars]]\nname = "Night"\n\n[calendars.week]\n'
            'monday = ["22:00-24:00"]\ntuesday = ["00:00-06:00", "22:00-24:00"]\n'
            'wednesday = ["00:00-06:00", "22:00-24:00"]\n'
            'thursday = ["00:00-06:00", "22:00-24:00"]\n'
            'friday = ["00:00-06:00", "22:00-24:00"]\nsaturday = ["00:00-06:00"]\n'
        )
        assert parse_plan(written, format="toml").plan.calendars[0].calendar.week == week


class TestTomlStrings:
    @pytest.mark.parametrize(
        "text",
        [
            'Say "hello"',
            "C:\\Users\\plan\\",
            "two\nlines",
            'ends with a quote"',
            'three quotes """ inside\n',
            "windows\r\nline ends\r\n",
            "tab\there, bell\x07, delete\x7f, escape\x1b",
            "accents é, ß, 東京, emoji 🚚",
            "\u2028 line separator and \x85 next line",
            "\\",
            "\n",
        ],
    )
    def test_names_and_notes_read_back_exactly(self, text: str) -> None:
        plan = Plan(
            name=text if text.strip() else "P",
            start=datetime(2026, 3, 2, 8),
            tasks=(PlanTask(uid=1, id=1, name=f"A {text}", milestone=True, notes=text),),
        )
        written = write_plan(plan, format="toml")
        assert tomllib.loads(written)["tasks"][0]["notes"] == text
        read = parse_plan(written, format="toml").plan
        assert (read.name, read.task(1).name, read.task(1).notes) == (
            plan.name,
            f"A {text}",
            text,
        )


class TestWhatIsNormalised:
    """The cases the property above leaves out: each keeps what the reader can keep."""

    def plan(self, **changes: Any) -> Plan:
        fields: dict[str, Any] = {"name": "P", "start": datetime(2026, 3, 2, 8)}
        fields.update(changes)
        return Plan(**fields)

    @pytest.mark.parametrize("format", FORMATS)
    def test_empty_and_repeated_names(self, format: Format) -> None:
        plan = self.plan(
            name=" ",
            calendar_uid=7,
            calendars=(
                PlanCalendar(7, Calendar("Night")),
                PlanCalendar(8, Calendar("Night")),
                PlanCalendar(9, Calendar("")),
            ),
            tasks=(PlanTask(uid=4, id=1, name="", milestone=True, calendar_uid=8),),
        )
        read = round_trip(plan, format)
        assert read.name == "Untitled"
        assert [item.calendar.name for item in read.calendars] == [
            "Night",
            "Night (2)",
            "Calendar 9",
        ]
        assert read.task(4).name == "Task 4"
        assert read.task(4).calendar_uid == 2

    @pytest.mark.parametrize("format", FORMATS)
    def test_no_project_calendar_stays_the_standard_calendar(self, format: Format) -> None:
        night = Calendar("Night", WeekPattern.continuous())
        plan = self.plan(
            calendars=(PlanCalendar(1, night), PlanCalendar(2, Calendar("Standard"))),
        )
        read = round_trip(plan, format)
        assert [item.calendar.name for item in read.calendars] == [
            "Night",
            "Standard",
            "Standard (2)",
        ]
        project_calendar = read.calendars_by_uid[read.calendar_uid or 0].calendar
        assert project_calendar.effective_week == WeekPattern.standard()
        assert project_calendar.exceptions == ()
        assert project_calendar.holiday_region is None

    @pytest.mark.parametrize("format", FORMATS)
    def test_a_plan_without_start_starts_with_its_first_task(self, format: Format) -> None:
        plan = self.plan(
            start=None,
            tasks=(
                PlanTask(uid=1, id=1, name="A", milestone=True, start=datetime(2026, 5, 4, 9)),
                PlanTask(uid=2, id=2, name="B", milestone=True, start=datetime(2026, 5, 3, 8)),
            ),
        )
        assert round_trip(plan, format).start == datetime(2026, 5, 3, 8)
        with pytest.raises(ValueError, match="no start date"):
            write_plan(self.plan(start=None), format=format)

    @pytest.mark.parametrize("format", FORMATS)
    def test_a_calendar_base_known_only_by_its_definition(self, format: Format) -> None:
        base = Calendar("Base", WeekPattern.continuous())
        derived = Calendar("Derived", base=base)
        plan = self.plan(
            calendar_uid=1, calendars=(PlanCalendar(1, base), PlanCalendar(2, derived))
        )
        read = round_trip(plan, format)
        assert read.calendars[1].base_uid == 1
        assert read.calendars[1].calendar == derived

    def test_an_unknown_format(self) -> None:
        with pytest.raises(ValueError, match="unknown plan format 'yaml'"):
            write_plan(self.plan(), format="yaml")  # type: ignore[arg-type]


class TestRecurringExceptionsInTheFormat:
    """The reader takes every recurrence the engine knows, so that the writer loses none."""

    def calendar(self, recurring: str) -> Calendar:
        text = (
            f'name = "P"\nstart = 2026-03-02\n[[calendars]]\nname = "C"\nrecurring = [{recurring}]'
        )
        return parse_plan(text, format="toml").plan.calendars[0].calendar

    @pytest.mark.parametrize(
        ("text", "rule"),
        [
            ('{ name = "X", month = 12, day = 25 }', YearlyByDate(12, 25)),
            (
                '{ month = 5, weekday = "Monday", position = "last" }',
                YearlyByWeekday(5, 0, -1),
            ),
            ('{ repeat = "daily" }', Daily()),
            (
                '{ repeat = "weekly", weekdays = ["monday", "friday"] }',
                Weekly((0, 4)),
            ),
            ('{ repeat = "monthly", day = 31 }', MonthlyByDay(31)),
            (
                '{ repeat = "monthly", weekday = "friday", position = "second" }',
                MonthlyByWeekday(4, 2),
            ),
        ],
    )
    def test_each_kind_of_rule(self, text: str, rule: RecurrenceRule) -> None:
        assert self.calendar(text).recurring[0].rule == rule

    def test_a_range_a_count_and_a_step(self) -> None:
        recurring = self.calendar(
            '{ repeat = "weekly", every = 2, weekdays = ["tuesday"], start = 2026-01-06, '
            'finish = 2026-12-31, occurrences = 10, days = 2, hours = ["08:00-12:00"] }'
        ).recurring[0]
        assert recurring == RecurringException(
            "",
            (WorkingPeriod(480, 720),),
            rule=Weekly((1,), every=2),
            first=date(2026, 1, 6),
            last=date(2026, 12, 31),
            count=10,
            span_days=2,
        )

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ('{ repeat = "hourly" }', "repeat 'hourly' is not one of daily, weekly"),
            ('{ repeat = "daily", month = 1 }', "a daily recurring exception has no month"),
            ('{ repeat = "weekly" }', "a weekly recurring exception needs its weekdays"),
            ('{ repeat = "weekly", weekdays = ["funday"] }', "'funday' is not a day of the week"),
            ('{ repeat = "monthly" }', "needs a day, or a weekday and a position"),
            ("{ month = 2, day = 30 }", "2-30 is not a date"),
            ('{ month = 2, day = 3, weekday = "monday" }', "has a day or a weekday, not both"),
            ('{ month = 2, weekday = "monday" }', "the weekday needs a position"),
            ('{ month = 2, weekday = "monday", position = "fifth" }', "position 'fifth' is not"),
            ('{ repeat = "daily", every = 2 }', "every 2 days needs a start date to count from"),
            ('{ repeat = "daily", occurrences = 2 }', "occurrences needs a start date"),
            (
                '{ repeat = "daily", start = 2026-05-01, finish = 2026-04-01 }',
                "finishes before it starts",
            ),
        ],
    )
    def test_mistakes_are_named(self, text: str, message: str) -> None:
        with pytest.raises(Exception, match=message) as caught:
            self.calendar(text)
        assert "Calendar 'C'" in str(caught.value)
        assert "line 5" in str(caught.value)

    def test_the_schema_lists_the_readers_fields(self) -> None:
        schema = json.loads(SCHEMA.read_text())
        recurring = schema["$defs"]["recurringException"]
        assert set(recurring["properties"]) == RECURRING_FIELDS


class TestDates:
    @pytest.mark.parametrize("format", FORMATS)
    def test_a_default_finish_time_of_midnight(self, format: Format) -> None:
        plan = Plan(
            name="P",
            start=datetime(2026, 3, 2, 8),
            default_finish_minute=1440,
            tasks=(PlanTask(uid=1, id=1, name="A", milestone=True, deadline=datetime(2026, 3, 6)),),
        )
        assert round_trip(plan, format).task(1).deadline == datetime(2026, 3, 6)

    def test_a_date_alone_with_a_default_finish_of_midnight_ends_that_day(self) -> None:
        plan = parse_plan(
            'name = "P"\nstart = 2026-03-02\ndefault_finish_time = "24:00"\n'
            "status_date = 2026-03-05",
            format="toml",
        ).plan
        assert plan.status_date == datetime(2026, 3, 6)
