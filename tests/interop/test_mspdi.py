"""Reading Microsoft Project XML: each pitfall of the format, the errors, and exact units."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pilotage.engine.calendars import (
    Calendar,
    Daily,
    MonthlyByDay,
    MonthlyByWeekday,
    Weekly,
    WeekPattern,
    WorkingPeriod,
    YearlyByDate,
    YearlyByWeekday,
)
from pilotage.interop.mspdi import MspdiReadResult, PlanFileError, parse_duration, read_mspdi

FIXTURES = Path(__file__).parent / "fixtures"
NAMESPACE = "http://schemas.microsoft.com/project"
MORNING = WorkingPeriod(8 * 60, 12 * 60)
AFTERNOON = WorkingPeriod(13 * 60, 17 * 60)


def fields_xml(fields: dict[str, object]) -> str:
    return "".join(f"<{name}>{value}</{name}>" for name, value in fields.items())


def task(
    uid: int,
    level: int = 1,
    *,
    links: tuple[str, ...] = (),
    **fields: object,
) -> str:
    body = {"UID": uid, "ID": uid, "Name": f"Task {uid}", "OutlineLevel": level, **fields}
    return f"<Task>{fields_xml(body)}{''.join(links)}</Task>"


def link(predecessor: int, **fields: object) -> str:
    body = fields_xml({"PredecessorUID": predecessor, **fields})
    return f"<PredecessorLink>{body}</PredecessorLink>"


def project(*parts: str, tasks: tuple[str, ...] = (), namespace: str | None = NAMESPACE) -> bytes:
    opening = f'<Project xmlns="{namespace}">' if namespace else "<Project>"
    task_block = f"<Tasks>{''.join(tasks)}</Tasks>" if tasks else ""
    return f"{opening}{''.join(parts)}{task_block}</Project>".encode()


def read(*parts: str, tasks: tuple[str, ...] = (), **options: str | None) -> MspdiReadResult:
    return read_mspdi(project(*parts, tasks=tasks, **options), name="plan.xml")


def week_day(day_type: int, *periods: tuple[str, str], working: bool | None = None) -> str:
    times = "".join(
        f"<WorkingTime><FromTime>{start}</FromTime><ToTime>{end}</ToTime></WorkingTime>"
        for start, end in periods
    )
    is_working = bool(periods) if working is None else working
    working_times = f"<WorkingTimes>{times}</WorkingTimes>" if times else ""
    return (
        f"<WeekDay><DayType>{day_type}</DayType><DayWorking>{int(is_working)}</DayWorking>"
        f"{working_times}</WeekDay>"
    )


STANDARD_DAYS = "".join(
    [week_day(1)]
    + [week_day(day, ("08:00:00", "12:00:00"), ("13:00:00", "17:00:00")) for day in range(2, 7)]
    + [week_day(7)]
)


def calendar_xml(
    uid: int = 1, name: str = "Standard", body: str = STANDARD_DAYS, **extra: object
) -> str:
    return (
        f"<Calendar><UID>{uid}</UID><Name>{name}</Name>{fields_xml(extra)}"
        f"<WeekDays>{body}</WeekDays></Calendar>"
    )


def calendar_with(*, week_days: str = "", exceptions: str = "", work_weeks: str = "") -> Calendar:
    body = f"<WeekDays>{STANDARD_DAYS}{week_days}</WeekDays>"
    if exceptions:
        body += f"<Exceptions>{exceptions}</Exceptions>"
    if work_weeks:
        body += f"<WorkWeeks>{work_weeks}</WorkWeeks>"
    xml = f"<Calendars><Calendar><UID>1</UID><Name>Standard</Name>{body}</Calendar></Calendars>"
    return read(xml).plan.calendars[0].calendar


def exception_xml(first: str, last: str, **fields: object) -> str:
    working = str(fields.pop("working", ""))
    period = (
        f"<TimePeriod><FromDate>{first}T00:00:00</FromDate>"
        f"<ToDate>{last}T23:59:00</ToDate></TimePeriod>"
    )
    times = (
        f"<DayWorking>1</DayWorking><WorkingTimes><WorkingTime><FromTime>{working.split('-')[0]}"
        f"</FromTime><ToTime>{working.split('-')[1]}</ToTime></WorkingTime></WorkingTimes>"
        if working
        else "<DayWorking>0</DayWorking>"
    )
    return f"<Exception>{period}{fields_xml(fields)}{times}</Exception>"


def old_exception_xml(first: str, last: str) -> str:
    return (
        f"<WeekDay><DayType>0</DayType><DayWorking>0</DayWorking><TimePeriod>"
        f"<FromDate>{first}T00:00:00</FromDate><ToDate>{last}T23:59:00</ToDate></TimePeriod></WeekDay>"
    )


def non_working_days(calendar: Calendar, first: date, last: date) -> list[date]:
    days = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
    return [day for day in days if day.weekday() < 5 and not calendar.periods_on(day)]


@pytest.fixture(scope="module")
def result() -> MspdiReadResult:
    return read_mspdi(FIXTURES / "office-move.xml")


class TestRealisticFile:
    """A small MS Project 2019-style file with a bit of everything."""

    def test_project_settings(self, result: MspdiReadResult) -> None:
        plan = result.plan
        assert plan.name == "Office move"
        assert (plan.start, plan.finish) == (datetime(2026, 3, 2, 8), datetime(2026, 3, 20, 17))
        assert plan.schedule_from_start
        assert plan.status_date == datetime(2026, 3, 4, 17)
        assert plan.calendar_uid == 1
        assert (plan.minutes_per_day, plan.minutes_per_week, plan.days_per_month) == (480, 2400, 20)
        assert (plan.default_start_minute, plan.default_finish_minute) == (480, 1020)
        assert (plan.currency_code, plan.currency_symbol) == ("EUR", "€")
        assert result.save_version == 14

    def test_project_summary_row_is_kept_for_its_dates_but_is_not_a_task(
        self, result: MspdiReadResult
    ) -> None:
        summary = result.plan.project_summary
        assert summary is not None
        assert (summary.uid, summary.start, summary.finish) == (
            0,
            datetime(2026, 3, 2, 8),
            datetime(2026, 3, 20, 17),
        )
        assert 0 not in result.plan.tasks_by_uid

    def test_blank_rows_are_skipped_and_counted(self, result: MspdiReadResult) -> None:
        assert 12 not in result.plan.tasks_by_uid
        assert result.null_tasks == 1

    def test_a_link_to_a_blank_row_is_dropped_with_a_warning(self, result: MspdiReadResult) -> None:
        assert [(link.predecessor_uid, link.successor_uid) for link in result.plan.links].count(
            (12, 21)
        ) == 0
        assert result.warnings == ["Task 21: the link from task 12 points at a blank row; ignored"]

    def test_outline_gives_parents_in_document_order(self, result: MspdiReadResult) -> None:
        outline = [
            (task.uid, task.outline_level, task.parent_uid, task.summary)
            for task in result.plan.tasks
        ]
        assert outline == [
            (10, 1, None, True),
            (11, 2, 10, False),
            (14, 2, 10, False),
            (20, 1, None, True),
            (21, 2, 20, False),
            (22, 2, 20, True),
            (23, 3, 22, False),
            (24, 3, 22, False),
            (25, 2, 20, False),
            (30, 1, None, False),
        ]

    def test_wbs_codes_and_outline_numbers_are_kept_as_written(
        self, result: MspdiReadResult
    ) -> None:
        task = result.plan.task(23)
        assert (task.wbs, task.outline_number) == ("MOVE.2.1", "2.2.1")

    def test_progress(self, result: MspdiReadResult) -> None:
        survey = result.plan.task(11)
        assert survey.percent_complete == 50
        assert survey.actual_start == datetime(2026, 3, 2, 8)
        assert survey.actual_finish is None
        assert (survey.actual_duration_minutes, survey.remaining_duration_minutes) == (480, 480)

    def test_authoring_tool_dates_and_float_are_kept_for_checking(
        self, result: MspdiReadResult
    ) -> None:
        survey = result.plan.task(11)
        assert (survey.early_start, survey.late_finish) == (
            datetime(2026, 3, 2, 8),
            datetime(2026, 3, 3, 17),
        )
        assert (survey.total_slack_minutes, survey.free_slack_minutes, survey.critical) == (
            0,
            0,
            True,
        )

    def test_task_fields(self, result: MspdiReadResult) -> None:
        survey = result.plan.task(11)
        assert (survey.id, survey.name, survey.priority, survey.notes) == (
            2,
            "Survey the new site",
            700,
            "Bring the floor plans.",
        )
        assert survey.constraint_date is None

    def test_manually_scheduled_task_keeps_its_dates(self, result: MspdiReadResult) -> None:
        pack = result.plan.task(21)
        assert pack.manual
        assert (pack.start, pack.finish) == (datetime(2026, 3, 9, 8), datetime(2026, 3, 10, 17))
        assert pack.deadline == datetime(2026, 3, 11, 17)

    def test_task_calendar(self, result: MspdiReadResult) -> None:
        assert result.plan.task(23).calendar_uid == 2
        assert result.plan.task(11).calendar_uid is None

    def test_resource_calendar_inherits_the_base_and_overrides_a_day(
        self, result: MspdiReadResult
    ) -> None:
        movers = result.plan.calendars_by_uid[2]
        assert movers.base_uid == 1
        calendar = movers.calendar
        assert calendar.periods_on(date(2026, 3, 21)) == (WorkingPeriod(420, 780),)
        assert calendar.periods_on(date(2026, 3, 20)) == (MORNING,)
        assert calendar.periods_on(date(2026, 3, 16)) == ()

    def test_cross_project_link_is_kept_and_flagged(self, result: MspdiReadResult) -> None:
        external = [link for link in result.plan.links if link.cross_project]
        assert [(link.predecessor_uid, link.successor_uid) for link in external] == [(7, 30)]
        assert external[0].cross_project_name == r"\\server\plans\it-setup.mpp\7"


class TestNamespace:
    def test_elements_are_matched_in_the_default_namespace(self) -> None:
        result = read(tasks=(task(1), task(2, links=(link(1),))))
        assert [task.uid for task in result.plan.tasks] == [1, 2]
        assert len(result.plan.links) == 1

    def test_a_file_without_the_namespace_is_read_the_same_way(self) -> None:
        with_namespace = read(tasks=(task(1), task(2, links=(link(1),)))).plan
        without = read(tasks=(task(1), task(2, links=(link(1),))), namespace=None).plan
        assert without.tasks == with_namespace.tasks
        assert without.links == with_namespace.links

    def test_a_project_in_another_namespace_is_not_mspdi(self) -> None:
        with pytest.raises(PlanFileError, match=r"plan\.xml, line 1: not a Microsoft Project XML"):
            read(tasks=(task(1),), namespace="urn:example:other")

    def test_elements_of_another_namespace_are_ignored(self) -> None:
        foreign = '<x:Task xmlns:x="urn:example:other"><x:UID>9</x:UID></x:Task>'
        result = read(tasks=(task(1), foreign))
        assert [task.uid for task in result.plan.tasks] == [1]


class TestUidAndId:
    def test_links_point_at_uids_not_row_ids(self) -> None:
        tasks = (
            task(30, ID=1, Name="First row"),
            task(10, ID=2, Name="Second row", links=(link(30),)),
        )
        plan = read(tasks=tasks).plan
        assert [(task.uid, task.id) for task in plan.tasks] == [(30, 1), (10, 2)]
        assert (plan.links[0].predecessor_uid, plan.links[0].successor_uid) == (30, 10)

    def test_a_uid_used_twice_is_an_error(self) -> None:
        with pytest.raises(PlanFileError, match="Task 4: the UID is used twice"):
            read(tasks=(task(4), task(4)))

    def test_a_real_task_with_uid_0_below_the_top_is_not_the_project_summary(self) -> None:
        plan = read(tasks=(task(0, level=1),)).plan
        assert [task.uid for task in plan.tasks] == [0]
        assert plan.project_summary is None


class TestOutline:
    def test_going_back_up_several_levels(self) -> None:
        tasks = (task(1, 1), task(2, 2), task(3, 3), task(4, 4), task(5, 2), task(6, 1))
        plan = read(tasks=tasks).plan
        assert [task.parent_uid for task in plan.tasks] == [None, 1, 2, 3, 1, None]
        assert [task.summary for task in plan.tasks] == [True, True, True, False, False, False]

    def test_summary_comes_from_the_outline_when_the_flag_is_missing(self) -> None:
        plan = read(tasks=(task(1, 1), task(2, 2))).plan
        assert plan.task(1).summary

    def test_a_summary_flag_without_subtasks_is_read_as_an_ordinary_task(self) -> None:
        result = read(tasks=(task(1, 1, Summary=1), task(2, 1)))
        assert not result.plan.task(1).summary
        assert result.warnings == [
            "Task 1: marked as a summary task but has no subtasks; read as an ordinary task"
        ]

    def test_a_level_jump_is_placed_under_the_nearest_task_above(self) -> None:
        result = read(tasks=(task(1, 1), task(2, 3)))
        assert result.plan.task(2).parent_uid == 1
        assert result.warnings == ["Task 2: OutlineLevel 3 is more than one level below task 1"]

    def test_missing_outline_level_means_top_level(self) -> None:
        plan = read(tasks=("<Task><UID>5</UID><Name>Lone</Name></Task>",)).plan
        assert (plan.task(5).outline_level, plan.task(5).parent_uid) == (1, None)


class TestDurations:
    @pytest.mark.parametrize(
        ("text", "minutes"),
        [
            ("PT8H0M0S", 480),
            ("PT0H0M0S", 0),
            ("PT57H8M24S", 3428),
            ("PT0H0M30S", 1),
            ("PT7.5H0M0S", 450),
            ("PT1H30.5M0S", 91),
            ("P2D", 960),
            ("P1DT12H", 720),
            ("P1M", 9600),
            ("0", 0),
        ],
    )
    def test_working_durations(self, text: str, minutes: int) -> None:
        assert parse_duration(text) == minutes

    @pytest.mark.parametrize(
        ("text", "minutes"),
        [("PT-8H0M0S", -480), ("PT-8H30M0S", -510), ("PT0H-15M0S", -15), ("-PT8H0M0S", -480)],
    )
    def test_negative_durations_in_microsoft_and_xsd_forms(self, text: str, minutes: int) -> None:
        assert parse_duration(text) == minutes

    @pytest.mark.parametrize(
        ("text", "minutes"), [("P1D", 1440), ("P1W", 10080), ("P1M", 43200), ("PT24H0M0S", 1440)]
    )
    def test_elapsed_durations_use_24_hour_days(self, text: str, minutes: int) -> None:
        assert parse_duration(text, elapsed=True) == minutes

    def test_days_follow_the_projects_minutes_per_day(self) -> None:
        result = read(
            "<MinutesPerDay>450</MinutesPerDay><DaysPerMonth>21</DaysPerMonth>",
            tasks=(task(1, Duration="P2D"), task(2, Duration="P1M")),
        )
        assert [task.duration_minutes for task in result.plan.tasks] == [900, 21 * 450]

    @pytest.mark.parametrize(
        ("code", "unit", "elapsed", "estimated"),
        [
            (3, "m", False, False),
            (4, "em", True, False),
            (5, "h", False, False),
            (6, "eh", True, False),
            (7, "d", False, False),
            (8, "ed", True, False),
            (9, "w", False, False),
            (10, "ew", True, False),
            (11, "mo", False, False),
            (12, "emo", True, False),
            (39, "d", False, True),
            (40, "ed", True, True),
            (53, None, False, False),
            (21, None, False, False),
        ],
    )
    def test_duration_formats(
        self, code: int, unit: str | None, elapsed: bool, estimated: bool
    ) -> None:
        plan = read(tasks=(task(1, Duration="PT24H0M0S", DurationFormat=code),)).plan
        read_task = plan.task(1)
        assert (read_task.duration_format, read_task.elapsed, read_task.estimated) == (
            unit,
            elapsed,
            estimated,
        )
        assert read_task.duration_minutes == 1440

    def test_one_elapsed_week_is_168_hours(self) -> None:
        plan = read(tasks=(task(1, Duration="PT168H0M0S", DurationFormat=10),)).plan
        assert (plan.task(1).duration_minutes, plan.task(1).elapsed) == (7 * 1440, True)

    def test_a_malformed_duration_names_the_task_the_field_and_the_line(self) -> None:
        content = project(tasks=(task(1), task(7, Duration="3x"))).replace(b"<Task>", b"\n<Task>")
        with pytest.raises(PlanFileError) as caught:
            read_mspdi(content, name="plan.xml")
        assert str(caught.value) == (
            "plan.xml, line 3: Task 7: Duration '3x' is not a duration such as PT8H0M0S"
        )
        assert caught.value.line == 3

    def test_a_negative_task_duration_is_an_error(self) -> None:
        with pytest.raises(PlanFileError, match="Task 3: Duration 'PT-8H0M0S' is negative"):
            read(tasks=(task(3, Duration="PT-8H0M0S"),))

    def test_zero_duration_without_a_milestone_flag_is_a_milestone(self) -> None:
        plan = read(tasks=(task(1, Duration="PT0H0M0S"), task(2, Duration="PT8H0M0S"))).plan
        assert [task.milestone for task in plan.tasks] == [True, False]

    def test_the_milestone_flag_wins(self) -> None:
        plan = read(tasks=(task(1, Duration="PT8H0M0S", Milestone=1),)).plan
        assert plan.task(1).milestone


@given(
    minutes=st.integers(min_value=-10_000_000, max_value=10_000_000),
    seconds=st.integers(min_value=0, max_value=59),
)
def test_microsoft_project_durations_survive_parsing_exactly(minutes: int, seconds: int) -> None:
    hours, rest = divmod(abs(minutes), 60)
    sign = "-" if minutes < 0 else ""
    text = f"PT{sign}{hours}H{rest}M0S" if hours else f"PT0H{sign}{rest}M0S"
    assert parse_duration(text) == minutes
    with_seconds = f"PT{hours}H{rest}M{seconds}S"
    assert parse_duration(with_seconds) == abs(minutes) + (1 if seconds >= 30 else 0)


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=1_000_000),
            st.integers(min_value=-1_000_000, max_value=1_000_000),
            st.sampled_from([3, 5, 7, 9, 11, 4, 6, 8, 10, 12]),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_durations_and_lags_survive_a_whole_file_exactly(
    values: list[tuple[int, int, int]],
) -> None:
    tasks = [task(1)]
    for uid, (duration, lag, unit) in enumerate(values, start=2):
        hours, minutes = divmod(duration, 60)
        tasks.append(
            task(
                uid,
                Duration=f"PT{hours}H{minutes}M0S",
                DurationFormat=unit,
                links=(link(uid - 1, LinkLag=lag * 10, LagFormat=unit),),
            )
        )
    plan = read(tasks=tuple(tasks)).plan
    assert [task.duration_minutes for task in plan.tasks[1:]] == [value[0] for value in values]
    assert [link.lag_minutes for link in plan.links] == [value[1] for value in values]
    assert [link.elapsed_lag for link in plan.links] == [value[2] % 2 == 0 for value in values]


class TestLinks:
    @pytest.mark.parametrize(
        ("code", "link_type"), [("0", "FF"), ("1", "FS"), ("2", "SF"), ("3", "SS"), (None, "FS")]
    )
    def test_link_types(self, code: str | None, link_type: str) -> None:
        fields = {} if code is None else {"Type": code}
        plan = read(tasks=(task(1), task(2, links=(link(1, **fields),)))).plan
        assert plan.links[0].type == link_type

    def test_missing_lag_is_zero(self) -> None:
        plan = read(tasks=(task(1), task(2, links=(link(1),)))).plan
        assert (plan.links[0].lag_minutes, plan.links[0].lag_format) == (0, None)

    @pytest.mark.parametrize(
        ("lag", "unit", "minutes", "lag_format"),
        [
            (4800, 7, 480, "d"),
            (9600, 7, 960, "d"),
            (24000, 9, 2400, "w"),
            (-72000, 7, -7200, "d"),
            (-4800, 39, -480, "d"),
            (14400, 8, 1440, "ed"),
            (6000, 3, 600, "m"),
            (4805, 7, 481, "d"),
        ],
    )
    def test_lags_are_tenths_of_minutes(
        self, lag: int, unit: int, minutes: int, lag_format: str
    ) -> None:
        plan = read(tasks=(task(1), task(2, links=(link(1, LinkLag=lag, LagFormat=unit),)))).plan
        assert (plan.links[0].lag_minutes, plan.links[0].lag_format) == (minutes, lag_format)

    @pytest.mark.parametrize(
        ("unit", "elapsed"), [(4, True), (6, True), (8, True), (10, True), (7, False)]
    )
    def test_elapsed_lag_formats(self, unit: int, elapsed: bool) -> None:
        plan = read(tasks=(task(1), task(2, links=(link(1, LinkLag=600, LagFormat=unit),)))).plan
        assert plan.links[0].elapsed_lag is elapsed

    @pytest.mark.parametrize(("unit", "elapsed"), [(19, False), (20, True), (51, False)])
    def test_percentage_lags_keep_the_raw_percentage(self, unit: int, elapsed: bool) -> None:
        plan = read(tasks=(task(1), task(2, links=(link(1, LinkLag=25, LagFormat=unit),)))).plan
        only = plan.links[0]
        assert (only.lag_percent, only.lag_minutes, only.elapsed_lag) == (25.0, 0, elapsed)

    def test_a_link_to_a_missing_task_names_the_task_the_field_and_the_line(self) -> None:
        content = project(tasks=(task(1), task(2, links=(link(99),)))).replace(
            b"<PredecessorLink>", b"\n\n<PredecessorLink>"
        )
        with pytest.raises(PlanFileError) as caught:
            read_mspdi(content, name="plan.xml")
        assert str(caught.value) == (
            "plan.xml, line 3: Task 2: PredecessorUID 99 is not a task of the file"
        )

    def test_a_link_may_point_forward_in_the_file(self) -> None:
        plan = read(tasks=(task(1, links=(link(2),)), task(2))).plan
        assert (plan.links[0].predecessor_uid, plan.links[0].successor_uid) == (2, 1)

    def test_an_unknown_link_type_is_read_as_finish_to_start(self) -> None:
        result = read(tasks=(task(1), task(2, links=(link(1, Type=9),))))
        assert result.plan.links[0].type == "FS"
        assert result.warnings == [
            "Task 2: the link from task 1 has Type 9, which is not known; read as FS"
        ]


class TestConstraints:
    @pytest.mark.parametrize(
        ("code", "constraint"),
        [(2, "MSO"), (3, "MFO"), (4, "SNET"), (5, "SNLT"), (6, "FNET"), (7, "FNLT")],
    )
    def test_dated_constraints(self, code: int, constraint: str) -> None:
        plan = read(
            tasks=(task(1, ConstraintType=code, ConstraintDate="2026-05-04T08:00:00"),)
        ).plan
        assert (plan.task(1).constraint_type, plan.task(1).constraint_date) == (
            constraint,
            datetime(2026, 5, 4, 8),
        )

    @pytest.mark.parametrize(("code", "constraint"), [(0, "ASAP"), (1, "ALAP")])
    def test_undated_constraints_ignore_a_stray_date(self, code: int, constraint: str) -> None:
        plan = read(
            tasks=(task(1, ConstraintType=code, ConstraintDate="1970-01-01T00:00:00"),)
        ).plan
        assert (plan.task(1).constraint_type, plan.task(1).constraint_date) == (constraint, None)

    def test_a_start_constraint_without_a_date_uses_the_tasks_start(self) -> None:
        result = read(tasks=(task(1, Start="2026-05-04T08:00:00", ConstraintType=4),))
        assert result.plan.task(1).constraint_date == datetime(2026, 5, 4, 8)
        assert result.warnings == [
            "Task 1: a SNET constraint without a date; the task's start 2026-05-04T08:00:00 is used"
        ]

    def test_an_unknown_constraint_is_read_as_soon_as_possible(self) -> None:
        result = read(tasks=(task(1, ConstraintType=12),))
        assert result.plan.task(1).constraint_type == "ASAP"
        assert result.warnings == ["Task 1: ConstraintType 12 is not known; read as ASAP"]


class TestDates:
    def test_dates_stay_naive_local_times(self) -> None:
        plan = read(tasks=(task(1, Start="2026-03-29T02:30:00"),)).plan
        start = plan.task(1).start
        assert start == datetime(2026, 3, 29, 2, 30)
        assert start is not None
        assert start.tzinfo is None

    def test_a_time_zone_offset_is_dropped_without_shifting_the_time(self) -> None:
        result = read(tasks=(task(1, Start="2026-03-02T08:00:00+02:00"),))
        assert result.plan.task(1).start == datetime(2026, 3, 2, 8)
        assert len(result.warnings) == 1

    def test_a_malformed_date_names_the_task_and_the_field(self) -> None:
        with pytest.raises(PlanFileError, match=r"Task 1: Deadline '31/12/2026' is not a date"):
            read(tasks=(task(1, Deadline="31/12/2026"),))

    def test_percent_complete_out_of_range_is_an_error(self) -> None:
        with pytest.raises(PlanFileError, match="Task 1: PercentComplete 150 is not 0 to 100"):
            read(tasks=(task(1, PercentComplete=150),))


class TestMissingElements:
    def test_an_almost_empty_project_reads_with_defaults(self) -> None:
        plan = read_mspdi(
            b'<Project xmlns="http://schemas.microsoft.com/project"><Tasks><Task><UID>1</UID>'
            b"</Task></Tasks></Project>"
        ).plan
        only = plan.task(1)
        assert (plan.name, plan.start, plan.calendar_uid, plan.schedule_from_start) == (
            "",
            None,
            None,
            True,
        )
        assert (only.name, only.duration_minutes, only.constraint_type, only.priority) == (
            "",
            0,
            "ASAP",
            500,
        )
        assert (only.active, only.manual, only.milestone) == (True, False, False)

    def test_inactive_tasks_are_kept_and_flagged(self) -> None:
        plan = read(tasks=(task(1, Active=0), task(2))).plan
        assert [task.active for task in plan.tasks] == [False, True]

    def test_the_file_name_names_an_unnamed_project(self, tmp_path: Path) -> None:
        path = tmp_path / "roadmap.xml"
        path.write_bytes(project())
        assert read_mspdi(path).plan.name == "roadmap"


class TestCalendars:
    def test_week_days_are_sunday_first_in_the_file_and_monday_first_in_the_model(self) -> None:
        sunday_only = "".join(
            [week_day(1, ("09:00:00", "11:00:00"))] + [week_day(day) for day in range(2, 8)]
        )
        plan = read(f"<Calendars>{calendar_xml(body=sunday_only)}</Calendars>").plan
        week = plan.calendars[0].calendar.week
        assert week is not None
        assert week.days[6] == (WorkingPeriod(540, 660),)
        assert all(day == () for day in week.days[:6])

    def test_a_standard_calendar(self) -> None:
        plan = read(f"<Calendars>{calendar_xml()}</Calendars><CalendarUID>1</CalendarUID>").plan
        assert plan.calendars[0].calendar.week == WeekPattern.standard()
        assert plan.calendar_uid == 1

    def test_midnight_as_an_end_time_is_the_end_of_the_day(self) -> None:
        around_the_clock = "".join(week_day(day, ("00:00:00", "00:00:00")) for day in range(1, 8))
        night = "".join(
            [week_day(1)]
            + [week_day(2, ("23:00:00", "00:00:00"))]
            + [
                week_day(
                    day,
                    ("00:00:00", "03:00:00"),
                    ("04:00:00", "08:00:00"),
                    ("23:00:00", "00:00:00"),
                )
                for day in range(3, 7)
            ]
            + [week_day(7, ("00:00:00", "03:00:00"), ("04:00:00", "08:00:00"))]
        )
        plan = read(
            f"<Calendars>{calendar_xml(1, '24 Hours', around_the_clock)}"
            f"{calendar_xml(2, 'Night Shift', night)}</Calendars>"
        ).plan
        assert plan.calendars[0].calendar.week == WeekPattern.continuous()
        night_week = plan.calendars[1].calendar.week
        assert night_week is not None
        assert night_week.days[0] == (WorkingPeriod(1380, 1440),)
        assert night_week.minutes == 40 * 60

    def test_a_working_day_without_times_gets_the_default_hours(self) -> None:
        days = "".join(week_day(day, working=day not in (1, 7)) for day in range(1, 8))
        plan = read(f"<Calendars>{calendar_xml(body=days)}</Calendars>").plan
        assert plan.calendars[0].calendar.week == WeekPattern.standard()

    def test_a_derived_calendar_without_days_inherits_the_whole_week(self) -> None:
        derived = (
            "<Calendar><UID>5</UID><Name>Ann</Name><BaseCalendarUID>1</BaseCalendarUID></Calendar>"
        )
        night = "".join(week_day(day, ("20:00:00", "23:00:00")) for day in range(1, 8))
        plan = read(f"<Calendars>{derived}{calendar_xml(1, 'Nights', night)}</Calendars>").plan
        ann = plan.calendars_by_uid[5]
        assert ann.base_uid == 1
        assert ann.calendar.week is None
        assert ann.calendar.effective_week.days[0] == (WorkingPeriod(1200, 1380),)

    def test_a_missing_base_calendar_is_ignored_with_a_warning(self) -> None:
        result = read(f"<Calendars>{calendar_xml(2, 'Ann', BaseCalendarUID=9)}</Calendars>")
        assert result.plan.calendars[0].base_uid is None
        assert result.warnings == [
            "Calendar 2 (Ann): the base calendar 9 is not in the file; ignored"
        ]

    def test_a_task_calendar_that_is_not_in_the_file_falls_back_with_a_warning(self) -> None:
        result = read(tasks=(task(1, CalendarUID=4),))
        assert result.plan.task(1).calendar_uid is None
        assert result.warnings == [
            "Task 1: the task calendar 4 is not in the file; the project calendar is used"
        ]

    def test_old_encoding_exceptions_with_inclusive_end_dates(self) -> None:
        calendar = calendar_with(week_days=old_exception_xml("2026-12-24", "2026-12-25"))
        assert non_working_days(calendar, date(2026, 12, 21), date(2026, 12, 31)) == [
            date(2026, 12, 24),
            date(2026, 12, 25),
        ]

    def test_an_exception_with_working_times(self) -> None:
        extra_saturday = exception_xml(
            "2026-06-06", "2026-06-06", working="09:00:00-13:00:00", Name="Inventory", Type=1
        )
        calendar = calendar_with(exceptions=extra_saturday)
        assert calendar.periods_on(date(2026, 6, 6)) == (WorkingPeriod(540, 780),)
        assert calendar.exceptions[0].name == "Inventory"

    def test_both_encodings_present_are_not_counted_twice(self) -> None:
        calendar = calendar_with(
            week_days=old_exception_xml("2026-12-25", "2026-12-25"),
            exceptions=exception_xml("2026-12-25", "2026-12-25", Name="Christmas", Type=1),
        )
        assert [exception.name for exception in calendar.exceptions] == ["Christmas"]

    def test_both_encodings_give_the_same_calendar(self) -> None:
        first_mondays = ("2026-01-05", "2026-02-02", "2026-03-02")
        old = calendar_with(
            week_days="".join(old_exception_xml(day, day) for day in first_mondays)
            + old_exception_xml("2026-08-03", "2026-08-14")
        )
        new = calendar_with(
            exceptions=exception_xml(
                "2026-01-01",
                "2026-03-02",
                Name="Monthly review",
                Type=5,
                Period=1,
                MonthItem=4,
                MonthPosition=0,
                Occurrences=3,
            )
            + exception_xml("2026-08-03", "2026-08-14", Name="Summer closure", Type=1)
        )
        assert [recurring.rule for recurring in new.recurring] == [
            MonthlyByWeekday(weekday=0, position=1, every=1)
        ]
        days = [date(2025, 12, 1) + timedelta(days=offset) for offset in range(400)]
        assert [new.periods_on(day) for day in days] == [old.periods_on(day) for day in days]

    @pytest.mark.parametrize(
        ("fields", "first", "last", "rule", "expected"),
        [
            (
                {"Type": 7, "Period": 3, "Occurrences": 4},
                "2026-02-02",
                "2026-02-11",
                Daily(every=3),
                ["2026-02-02", "2026-02-05", "2026-02-08", "2026-02-11"],
            ),
            (
                {"Type": 6, "Period": 2, "DaysOfWeek": 4 | 16, "Occurrences": 4},
                "2026-01-05",
                "2026-01-22",
                Weekly((1, 3), every=2),
                ["2026-01-06", "2026-01-08", "2026-01-20", "2026-01-22"],
            ),
            (
                {"Type": 4, "Period": 2, "MonthDay": 15, "Occurrences": 3},
                "2026-01-01",
                "2026-05-15",
                MonthlyByDay(15, every=2),
                ["2026-01-15", "2026-03-15", "2026-05-15"],
            ),
            (
                {"Type": 5, "Period": 1, "MonthItem": 8, "MonthPosition": 4, "Occurrences": 2},
                "2026-01-01",
                "2026-02-27",
                MonthlyByWeekday(weekday=4, position=-1, every=1),
                ["2026-01-30", "2026-02-27"],
            ),
            (
                {"Type": 2, "Month": 11, "MonthDay": 25, "Occurrences": 2},
                "2026-01-01",
                "2027-12-25",
                YearlyByDate(12, 25),
                ["2026-12-25", "2027-12-25"],
            ),
            (
                {"Type": 3, "Month": 4, "MonthItem": 4, "MonthPosition": 4, "Occurrences": 2},
                "2026-01-01",
                "2027-05-31",
                YearlyByWeekday(month=5, weekday=0, position=-1),
                ["2026-05-25", "2027-05-31"],
            ),
        ],
    )
    def test_recurring_exceptions_become_rules(
        self,
        fields: dict[str, int],
        first: str,
        last: str,
        rule: object,
        expected: list[str],
    ) -> None:
        calendar = calendar_with(exceptions=exception_xml(first, last, Name="Off", **fields))
        assert calendar.exceptions == ()
        assert [recurring.rule for recurring in calendar.recurring] == [rule]
        assert [
            day.isoformat()
            for day in calendar.recurring[0].occurrences(date(2025, 1, 1), date(2028, 12, 31))
        ] == expected

    def test_weeks_of_a_weekly_recurrence_start_on_sunday_as_in_microsoft_project(self) -> None:
        every_other_sunday = exception_xml(
            "2026-01-05",
            "2026-02-15",
            Name="Sundays",
            Type=6,
            Period=2,
            DaysOfWeek=1,
            Occurrences=3,
        )
        calendar = calendar_with(exceptions=every_other_sunday)
        assert calendar.recurring == ()
        assert [(exception.start, exception.finish) for exception in calendar.exceptions] == [
            (date(2026, 1, 18), date(2026, 1, 18)),
            (date(2026, 2, 1), date(2026, 2, 1)),
            (date(2026, 2, 15), date(2026, 2, 15)),
        ]

    def test_a_recurrence_the_model_cannot_express_is_expanded_into_dates(self) -> None:
        first_weekday = exception_xml(
            "2026-02-01",
            "2026-04-01",
            Name="Stock take",
            Type=5,
            Period=1,
            MonthItem=1,
            MonthPosition=0,
            Occurrences=3,
        )
        calendar = calendar_with(exceptions=first_weekday)
        assert calendar.recurring == ()
        assert [exception.start for exception in calendar.exceptions] == [
            date(2026, 2, 2),
            date(2026, 3, 2),
            date(2026, 4, 1),
        ]

    def test_a_monthly_day_missing_from_a_month_falls_on_its_last_day(self) -> None:
        thirty_first = exception_xml(
            "2026-01-01",
            "2026-03-31",
            working="09:00:00-13:00:00",
            Name="Closing",
            Type=4,
            Period=1,
            MonthDay=31,
            Occurrences=3,
        )
        calendar = calendar_with(exceptions=thirty_first)
        assert calendar.recurring == ()
        closing = (WorkingPeriod(540, 780),)
        assert calendar.periods_on(date(2026, 2, 28)) == closing
        assert calendar.periods_on(date(2026, 3, 31)) == closing
        assert calendar.periods_on(date(2026, 2, 27)) == (MORNING, AFTERNOON)

    def test_by_weekday_count_is_read_as_the_whole_range_with_a_warning(self) -> None:
        result_calendar = calendar_with(
            exceptions=exception_xml("2026-07-01", "2026-07-03", Name="Audit", Type=8, Period=2)
        )
        assert non_working_days(result_calendar, date(2026, 7, 1), date(2026, 7, 3)) == [
            date(2026, 7, 1),
            date(2026, 7, 2),
            date(2026, 7, 3),
        ]

    def test_alternative_work_weeks_become_dated_exceptions(self) -> None:
        summer = (
            "<WorkWeek><TimePeriod><FromDate>2026-07-06T00:00:00</FromDate>"
            "<ToDate>2026-07-17T23:59:00</ToDate></TimePeriod><Name>Summer</Name><WeekDays>"
            + "".join(week_day(day, ("08:00:00", "14:00:00")) for day in range(2, 7))
            + "</WeekDays></WorkWeek>"
        )
        calendar = calendar_with(work_weeks=summer)
        assert calendar.periods_on(date(2026, 7, 8)) == (WorkingPeriod(480, 840),)
        assert calendar.periods_on(date(2026, 7, 20)) == (MORNING, AFTERNOON)
        assert calendar.periods_on(date(2026, 7, 11)) == ()

    def test_an_impossible_working_time_names_the_calendar(self) -> None:
        backwards = "".join([week_day(2, ("17:00:00", "08:00:00"))])
        with pytest.raises(PlanFileError, match=r"Calendar 1 \(Standard\): working time 17:00:00"):
            read(f"<Calendars>{calendar_xml(body=backwards)}</Calendars>")


class TestBadFiles:
    def test_not_xml(self) -> None:
        with pytest.raises(PlanFileError, match=r"^plan\.csv, line 1: not an XML file"):
            read_mspdi(b"UID,Name\n1,Design\n", name="plan.csv")

    def test_malformed_xml_names_the_line(self) -> None:
        content = (
            b'<Project xmlns="http://schemas.microsoft.com/project">\n<Tasks>\n<Task>\n</Tasks>'
        )
        with pytest.raises(PlanFileError) as caught:
            read_mspdi(content, name="broken.xml")
        assert caught.value.line == 4
        assert str(caught.value).startswith("broken.xml, line 4: malformed XML")

    def test_truncated_file(self) -> None:
        content = project(tasks=(task(1), task(2)))[:-30]
        with pytest.raises(PlanFileError, match="malformed XML"):
            read_mspdi(content)

    def test_xml_that_is_not_mspdi(self) -> None:
        with pytest.raises(PlanFileError, match=r"the document is <project>, not <Project>"):
            read_mspdi(b'<?xml version="1.0"?>\n<project name="GanttProject"/>')

    def test_empty_file(self) -> None:
        with pytest.raises(PlanFileError, match=r"^empty\.xml: the file is empty"):
            read_mspdi(b"", name="empty.xml")
        with pytest.raises(PlanFileError, match=r"^blank\.xml, line 2: not an XML file: Start tag"):
            read_mspdi(b"  \n", name="blank.xml")

    def test_binary_project_file(self) -> None:
        with pytest.raises(PlanFileError, match=r"binary Microsoft Project file \(\.mpp\)"):
            read_mspdi(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), name="plan.mpp")

    def test_missing_file(self, tmp_path: Path) -> None:
        with pytest.raises(PlanFileError, match=r"nowhere\.xml: cannot be read"):
            read_mspdi(tmp_path / "nowhere.xml")

    def test_an_entity_bomb_is_refused_without_expanding_it(self) -> None:
        bomb = (
            b'<?xml version="1.0"?>\n<!DOCTYPE Project [\n<!ENTITY a "aaaaaaaaaa">\n'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n'
            b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">\n]>\n'
            b'<Project xmlns="http://schemas.microsoft.com/project"><Name>&c;</Name></Project>'
        )
        with pytest.raises(PlanFileError, match="declares a document type"):
            read_mspdi(bomb)

    def test_an_external_entity_is_refused(self, tmp_path: Path) -> None:
        secret = tmp_path / "secret.txt"
        secret.write_text("do not read")
        content = (
            f'<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
            '<Project xmlns="http://schemas.microsoft.com/project"><Name>&x;</Name></Project>'
        ).encode()
        with pytest.raises(PlanFileError, match="declares a document type"):
            read_mspdi(content)


class TestEncodings:
    def test_utf8_with_a_byte_order_mark(self) -> None:
        content = "\ufeff".encode() + project("<Title>Déménagement</Title>")
        assert read_mspdi(content).plan.name == "Déménagement"

    def test_utf16(self) -> None:
        content = (
            '<?xml version="1.0" encoding="UTF-16"?>'
            + project("<Title>Déménagement</Title>").decode()
        )
        assert read_mspdi(content.encode("utf-16")).plan.name == "Déménagement"

    def test_windows_1252_without_a_declaration_is_read_with_a_warning(self) -> None:
        content = project("<Title>Déménagement</Title>").decode().encode("windows-1252")
        result = read_mspdi(content)
        assert result.plan.name == "Déménagement"
        assert result.warnings == ["the file is not valid UTF-8; it was read as Windows-1252"]

    def test_a_declared_encoding_is_honoured(self) -> None:
        content = (
            '<?xml version="1.0" encoding="ISO-8859-1"?>'
            + project("<Title>Ålesund</Title>").decode()
        )
        assert read_mspdi(content.encode("latin-1")).plan.name == "Ålesund"


class TestSourcesAndShapes:
    def test_a_project_2003_file_on_a_single_line(self) -> None:
        one_line = b'<?xml version="1.0"?>' + project(
            "<Name>legacy.xml</Name><StartDate>2003-01-07T08:00:00</StartDate>",
            tasks=(
                task(0, 0),
                task(1, Duration="PT8H0M0S"),
                task(2, links=(link(1, LinkLag=4800, LagFormat=7),)),
            ),
        )
        assert b"\n" not in one_line
        plan = read_mspdi(one_line).plan
        assert [task.uid for task in plan.tasks] == [1, 2]
        assert plan.links[0].lag_minutes == 480

    def test_an_error_in_a_one_line_file_is_on_line_1(self) -> None:
        with pytest.raises(PlanFileError, match=r"line 1: Task 2: Duration"):
            read_mspdi(project(tasks=(task(1), task(2, Duration="eight hours"))), name="x.xml")

    def test_reads_from_an_open_binary_file(self) -> None:
        stream = io.BytesIO(b"junk" + project(tasks=(task(1),)))
        stream.seek(4)
        assert [task.uid for task in read_mspdi(stream).plan.tasks] == [1]

    def test_reads_from_a_path_given_as_text(self) -> None:
        plan = read_mspdi(str(FIXTURES / "office-move.xml")).plan
        assert len(plan.tasks) == 10

    def test_too_many_warnings_are_summarised(self) -> None:
        tasks = tuple(task(uid, ConstraintType=42) for uid in range(1, 1006))
        warnings = read(tasks=tasks).warnings
        assert len(warnings) == 1001
        assert warnings[-1] == "... and 5 more warnings"
