"""Scheduling a whole plan: how tasks, links, calendars and progress reach the scheduler.

Unless a test says otherwise the plan uses Microsoft Project's standard calendar (Monday to
Friday, 08:00-12:00 and 13:00-17:00: a day is 480 working minutes) and starts on Monday
2 March 2026 at 08:00. Every expected date is worked out by hand in the comments.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from pilotage.engine.calendars import Calendar, WeekPattern, WorkingPeriod
from pilotage.engine.errors import CyclicDependencyError, ScheduleInputError
from pilotage.engine.plan import (
    DurationFormat,
    Plan,
    PlanCalendar,
    PlanLink,
    PlanLinkType,
    PlanTask,
)
from pilotage.engine.schedule_plan import PlanSchedule, schedule_plan

DAY = 480
START = datetime(2026, 3, 2, 8)


def at(day: int, hour: int, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour)


def task(uid: int, days: float = 1, **fields: object) -> PlanTask:
    values: dict[str, object] = {
        "uid": uid,
        "id": uid,
        "name": f"T{uid}",
        "duration_minutes": round(days * DAY),
    }
    values.update(fields)
    return PlanTask(**values)  # type: ignore[arg-type]


def schedule(*tasks: PlanTask, links: tuple[PlanLink, ...] = (), **fields: object) -> PlanSchedule:
    values: dict[str, object] = {"name": "Test", "start": START}
    values.update(fields)
    return schedule_plan(Plan(tasks=tasks, links=links, **values))  # type: ignore[arg-type]


def dates(result: PlanSchedule, uid: int) -> tuple[datetime, datetime]:
    row = result.task(uid)
    return row.early_start, row.early_finish


class TestLinks:
    """A (2 days) runs Monday 2 to Tuesday 3 March; B (1 day) follows it by each kind of link."""

    @pytest.mark.parametrize(
        ("link_type", "lag_minutes", "lag_format", "expected_start"),
        [
            ("FS", 0, None, at(4, 8)),  # after Tuesday 17:00
            ("FS", DAY, "d", at(5, 8)),  # one working day later
            ("FS", -DAY, "d", at(3, 8)),  # a one-day lead: Tuesday
            ("SS", DAY, "d", at(3, 8)),  # Monday 08:00 + 1 day = Monday 17:00, i.e. Tuesday 08:00
            ("FF", 0, None, at(3, 8)),  # finishes with A on Tuesday 17:00
            ("FF", DAY, "d", at(4, 8)),  # finishes a day after A: Wednesday 17:00
            ("SF", 3 * DAY, "d", at(4, 8)),  # finishes 3 days after A starts: Wednesday 17:00
        ],
    )
    def test_each_link_type_with_working_lags(
        self,
        link_type: PlanLinkType,
        lag_minutes: int,
        lag_format: DurationFormat | None,
        expected_start: datetime,
    ) -> None:
        link = PlanLink(1, 2, link_type, lag_minutes=lag_minutes, lag_format=lag_format)
        result = schedule(task(1, 2), task(2, 1), links=(link,))
        assert dates(result, 1) == (at(2, 8), at(3, 17))
        assert dates(result, 2) == (expected_start, expected_start.replace(hour=17))

    @pytest.mark.parametrize(
        ("link", "expected_start"),
        [
            # Tuesday 17:00 + 24 hours is Wednesday 17:00: work starts on Thursday.
            (PlanLink(1, 2, lag_minutes=1440, lag_format="ed", elapsed_lag=True), at(5, 8)),
            # Tuesday 17:00 + 12 hours is Wednesday 05:00: work starts at 08:00.
            (PlanLink(1, 2, lag_minutes=720, lag_format="eh", elapsed_lag=True), at(4, 8)),
            # 50 % of A's 2 days is one working day.
            (PlanLink(1, 2, lag_format="%", lag_percent=50.0), at(5, 8)),
            # A lead of 50 % of A's 2 days starts B on Tuesday morning.
            (PlanLink(1, 2, lag_format="%", lag_percent=-50.0), at(3, 8)),
            # 50 % elapsed: 480 wall-clock minutes after Tuesday 17:00 is Wednesday 01:00.
            (PlanLink(1, 2, lag_format="e%", lag_percent=50.0, elapsed_lag=True), at(4, 8)),
        ],
    )
    def test_elapsed_and_percent_lags(self, link: PlanLink, expected_start: datetime) -> None:
        result = schedule(task(1, 2), task(2, 1), links=(link,))
        assert dates(result, 2) == (expected_start, expected_start.replace(hour=17))

    def test_a_link_from_another_project_is_left_out_with_a_warning(self) -> None:
        link = PlanLink(99, 2, cross_project=True, cross_project_name="Other.mpp")
        result = schedule(task(1, 2), task(2, 1), links=(PlanLink(1, 2), link))
        assert dates(result, 2) == (at(4, 8), at(4, 17))
        assert "A link from another project is left out: task 99 of Other.mpp to task 2" in (
            result.warnings
        )

    def test_a_cycle_names_its_tasks(self) -> None:
        design = task(1, name="Design")
        build = task(2, name="Build")
        with pytest.raises(
            CyclicDependencyError, match=r"task \d \((Design|Build)\) -> task"
        ) as error:
            schedule(design, build, links=(PlanLink(1, 2), PlanLink(2, 1)))
        assert set(error.value.cycle) == {1, 2}
        assert "task 1 (Design)" in str(error.value)
        assert "task 2 (Build)" in str(error.value)


class TestDurations:
    def test_an_elapsed_duration_runs_through_the_night_and_the_weekend(self) -> None:
        # A: Monday 2 to Friday 6 at 17:00. C: 3 elapsed days from Friday 17:00 to Monday 9
        # 17:00. D: Tuesday 10.
        elapsed = task(3, 0, duration_minutes=3 * 1440, duration_format="ed", elapsed=True)
        result = schedule(task(1, 5), elapsed, task(4, 1), links=(PlanLink(1, 3), PlanLink(3, 4)))
        assert dates(result, 3) == (at(6, 17), at(9, 17))
        assert dates(result, 4) == (at(10, 8), at(10, 17))
        # C's float is wall-clock time: it may finish as late as Tuesday 08:00, when D must
        # start, 15 hours after Monday 17:00.
        assert result.task(3).elapsed
        assert result.task(3).total_float_minutes == 15 * 60
        assert result.task(4).critical

    def test_a_milestone_sits_at_the_finish_of_its_predecessor(self) -> None:
        result = schedule(task(1, 2), task(2, 0, milestone=True), links=(PlanLink(1, 2),))
        assert dates(result, 2) == (at(3, 17), at(3, 17))


class TestSummaryTasks:
    def test_summary_dates_roll_up_and_a_link_from_a_summary_waits_for_all_its_tasks(
        self,
    ) -> None:
        # Phase 10: 11 (2 days, Monday-Tuesday) then 12 (3 days, Wednesday-Friday), and 14 (1
        # day, Monday) alongside. 13 follows the whole phase: Monday 9.
        phase = PlanTask(uid=10, id=1, name="Phase", summary=True)
        result = schedule(
            phase,
            task(11, 2, outline_level=2, parent_uid=10),
            task(12, 3, outline_level=2, parent_uid=10),
            task(14, 1, outline_level=2, parent_uid=10),
            task(13, 1),
            links=(PlanLink(11, 12), PlanLink(10, 13)),
        )
        summary = result.task(10)
        assert summary.summary
        assert (summary.early_start, summary.early_finish) == (at(2, 8), at(6, 17))
        assert dates(result, 13) == (at(9, 8), at(9, 17))
        # 14 may slip until 13 must start: from Monday 2 to Friday 6, 4 days.
        assert result.task(14).total_float_minutes == 4 * DAY
        assert summary.total_float_minutes == 0
        assert summary.critical
        assert not result.task(14).critical

    def test_a_summary_task_without_subtasks_is_an_ordinary_task(self) -> None:
        result = schedule(task(1, 2, summary=True))
        assert not result.task(1).summary
        assert dates(result, 1) == (at(2, 8), at(3, 17))

    def test_a_summary_finish_no_later_than_bounds_its_tasks(self) -> None:
        # The phase must finish by Tuesday 17:00 but its 3-day task ends on Wednesday.
        phase = PlanTask(
            uid=1,
            id=1,
            name="Phase",
            summary=True,
            constraint_type="FNLT",
            constraint_date=at(3, 17),
        )
        result = schedule(phase, task(2, 3, outline_level=2, parent_uid=1))
        assert dates(result, 2) == (at(2, 8), at(4, 17))
        assert result.task(2).late_finish == at(3, 17)
        assert result.task(1).total_float_minutes == -DAY
        assert result.warnings[0] == (
            "Task 1 (Phase): its subtasks finish after its FNLT constraint on 2026-03-03 17:00"
        )

    def test_a_constraint_a_summary_task_cannot_have_is_dropped_with_a_warning(self) -> None:
        phase = PlanTask(
            uid=1,
            id=1,
            name="Phase",
            summary=True,
            constraint_type="MSO",
            constraint_date=at(4, 8),
        )
        result = schedule(phase, task(2, 1, outline_level=2, parent_uid=1))
        assert dates(result, 2) == (at(2, 8), at(2, 17))
        assert "Task 1 (Phase): a summary task cannot have a MSO constraint; it is ignored" in (
            result.warnings
        )


class TestConstraints:
    def test_start_no_earlier_than_pushes_a_task(self) -> None:
        result = schedule(task(1, 1, constraint_type="SNET", constraint_date=at(4, 8)))
        assert dates(result, 1) == (at(4, 8), at(4, 17))

    def test_a_must_start_on_that_its_links_cannot_meet_is_reported(self) -> None:
        # B must start on Tuesday 08:00 although A only finishes on Tuesday 17:00: B keeps its
        # date and A has one day of negative float.
        must = task(2, 1, name="Ship", constraint_type="MSO", constraint_date=at(3, 8))
        result = schedule(task(1, 2), must, links=(PlanLink(1, 2),))
        assert dates(result, 2) == (at(3, 8), at(3, 17))
        assert result.unmet_constraints == (2,)
        assert result.task(1).total_float_minutes == -DAY
        assert 1 in result.negative_float
        assert (
            "Task 2 (Ship): its MSO constraint on 2026-03-03 08:00 overrides its predecessors "
            "or the project start"
        ) in result.warnings

    def test_a_missed_deadline_gives_negative_float_but_no_move(self) -> None:
        late = task(1, 3, name="Report", deadline=at(3, 17))
        result = schedule(late)
        assert dates(result, 1) == (at(2, 8), at(4, 17))
        assert result.task(1).total_float_minutes == -DAY
        assert result.missed_deadlines == (1,)
        assert result.warnings == (
            "Task 1 (Report): finishes on 2026-03-04 17:00, after its deadline 2026-03-03 17:00",
            "Negative total float, down to -1d (a constraint or deadline cannot be met): task 1",
        )


class TestProgress:
    STATUS = at(4, 17)

    def test_remaining_work_resumes_after_the_status_date(self) -> None:
        # 4 days started Monday, 25 % done (1 day): 3 days left after Wednesday 17:00, so
        # Thursday 5 to Monday 9. The successor follows on Tuesday 10.
        started = task(1, 4, actual_start=at(2, 8), percent_complete=25.0)
        result = schedule(started, task(2, 1), links=(PlanLink(1, 2),), status_date=self.STATUS)
        assert dates(result, 1) == (at(2, 8), at(9, 17))
        assert dates(result, 2) == (at(10, 8), at(10, 17))
        assert result.status_date == self.STATUS

    def test_a_remaining_duration_wins_over_the_percent_complete(self) -> None:
        # 4 days with 1 day left: 3 days done by Wednesday 17:00, the last one on Thursday.
        started = task(
            1, 4, actual_start=at(2, 8), percent_complete=10.0, remaining_duration_minutes=DAY
        )
        result = schedule(started, status_date=self.STATUS)
        assert dates(result, 1) == (at(2, 8), at(5, 17))

    def test_a_finished_task_keeps_its_actual_dates_and_has_no_float(self) -> None:
        done = task(1, 2, actual_start=at(2, 8), actual_finish=at(3, 12), percent_complete=100.0)
        result = schedule(done, task(2, 3), status_date=self.STATUS)
        assert dates(result, 1) == (at(2, 8), at(3, 12))
        assert result.task(1).total_float_minutes == 0
        assert not result.task(1).critical

    def test_work_not_started_waits_for_the_status_date(self) -> None:
        result = schedule(task(1, 1), status_date=self.STATUS)
        assert dates(result, 1) == (at(5, 8), at(5, 17))

    def test_the_status_date_can_be_given_instead_of_the_plans(self) -> None:
        plan = Plan(name="P", start=START, status_date=self.STATUS, tasks=(task(1, 1),))
        assert dates(schedule_plan(plan, status_date=at(2, 17)), 1) == (at(3, 8), at(3, 17))

    def test_progress_without_an_actual_start_takes_the_start_from_the_file(self) -> None:
        started = task(1, 2, percent_complete=50.0, start=at(2, 8), name="Dig")
        result = schedule(started, status_date=at(2, 17))
        assert dates(result, 1) == (at(2, 8), at(3, 17))
        assert (
            "Task 1 (Dig): 50% complete without an actual start; its start 2026-03-02 08:00 is "
            "taken as the actual start"
        ) in result.warnings

    def test_progress_without_any_start_is_an_error_naming_the_task(self) -> None:
        with pytest.raises(ScheduleInputError, match=r"Task 1 \(Dig\): actual_start is required"):
            schedule(task(1, 2, percent_complete=50.0, name="Dig"))


class TestManualAndInactiveTasks:
    def test_a_manual_task_keeps_its_start_and_drives_its_successors(self) -> None:
        # A runs Monday-Tuesday; M is manually placed on Monday, so N follows it on Tuesday.
        manual = task(2, 1, manual=True, start=at(2, 8))
        result = schedule(task(1, 2), manual, task(3, 1), links=(PlanLink(1, 2), PlanLink(2, 3)))
        assert dates(result, 2) == (at(2, 8), at(2, 17))
        assert dates(result, 3) == (at(3, 8), at(3, 17))
        assert result.manual == (2,)
        assert (
            "Manually scheduled, so kept on the start the file gives whatever their "
            "predecessors: task 2"
        ) in result.warnings

    def test_a_manual_task_before_its_predecessor_allows_is_reported(self) -> None:
        manual = task(2, 1, manual=True, start=at(2, 8), name="Docs")
        result = schedule(task(1, 2), manual, links=(PlanLink(1, 2),))
        assert (
            "Task 2 (Docs): manually scheduled on 2026-03-02 08:00, before its predecessors "
            "allow (2026-03-04 08:00); the links into it are left out"
        ) in result.warnings

    def test_the_links_into_a_manual_task_still_bound_its_predecessors(self) -> None:
        # A (Monday) comes before M, manually placed on Wednesday, the last task: A may slip
        # by one day, to Tuesday, and no more.
        manual = task(2, 1, manual=True, start=at(4, 8))
        result = schedule(task(1, 1), manual, links=(PlanLink(1, 2),))
        assert dates(result, 2) == (at(4, 8), at(4, 17))
        assert result.task(1).late_finish == at(3, 17)
        assert (result.task(1).total_float_minutes, result.task(1).free_float_minutes) == (
            DAY,
            DAY,
        )
        assert not any("before its predecessors allow" in line for line in result.warnings)

    def test_an_inactive_task_does_not_drive_its_successors(self) -> None:
        result = schedule(task(1, 5, active=False), task(2, 1), links=(PlanLink(1, 2),))
        assert dates(result, 2) == (at(2, 8), at(2, 17))
        assert "Inactive, so scheduled without driving their successors: task 1" in (
            result.warnings
        )


class TestLevelingDelays:
    """A leveling delay is added to the start the logic gives, then the next working time."""

    @pytest.mark.parametrize(
        ("minutes", "unit", "expected"),
        [
            # A (1 day) ends on Monday 17:00, so B could start on Tuesday 08:00.
            # Two elapsed days: Thursday 08:00.
            (2 * 1440, "ed", (at(5, 8), at(5, 17))),
            # Half an elapsed day: Tuesday 20:00, then the next working time, Wednesday 08:00.
            (720, "ed", (at(4, 8), at(4, 17))),
            # No format: elapsed, as Microsoft Project shows leveling delays by default.
            (1440, None, (at(4, 8), at(4, 17))),
            # Elapsed hours: Tuesday 10:00, then B works until Wednesday 10:00.
            (120, "eh", (at(3, 10), at(4, 10))),
            # Two working days: Thursday 08:00.
            (2 * DAY, "d", (at(5, 8), at(5, 17))),
            # Four elapsed days from Tuesday: Saturday 08:00, then Monday 9 March.
            (4 * 1440, "ed", (at(9, 8), at(9, 17))),
            # Four working days from Tuesday: over the weekend to Monday 9 March.
            (4 * DAY, "d", (at(9, 8), at(9, 17))),
        ],
    )
    def test_the_delay_follows_the_logic(
        self, minutes: int, unit: DurationFormat | None, expected: tuple[datetime, datetime]
    ) -> None:
        delayed = task(2, 1, leveling_delay_minutes=minutes, leveling_delay_format=unit)
        result = schedule(task(1, 1), delayed, links=(PlanLink(1, 2),))
        assert dates(result, 2) == expected
        assert result.warnings == ()

    def test_successors_follow_and_the_delay_counts_in_the_floats(self) -> None:
        # A (Monday) -> B (1 day, delayed 2ed: Thursday) -> C (Friday); D (Monday, alone).
        # The project ends on Friday 17:00. A's late finish is Monday 17:00: B's start could
        # come no later, the delay being fixed; D may slip by four days.
        delayed = task(2, 1, leveling_delay_minutes=2 * 1440, leveling_delay_format="ed")
        result = schedule(
            task(1, 1), delayed, task(3, 1), task(4, 1), links=(PlanLink(1, 2), PlanLink(2, 3))
        )
        assert dates(result, 3) == (at(6, 8), at(6, 17))
        assert result.project_finish == at(6, 17)
        assert result.task(1).late_finish == at(2, 17)
        assert [result.task(uid).total_float_minutes for uid in (1, 2, 3, 4)] == [0, 0, 0, 4 * DAY]
        assert result.task(1).free_float_minutes == 0
        assert [uid for uid in (1, 2, 3, 4) if result.task(uid).critical] == [1, 2, 3]

    def test_a_delay_without_predecessors_counts_from_the_project_start(self) -> None:
        result = schedule(task(1, 1, leveling_delay_minutes=DAY, leveling_delay_format="d"))
        assert dates(result, 1) == (at(3, 8), at(3, 17))

    def test_a_delay_on_a_task_with_a_finish_link(self) -> None:
        # FF: B (2 days) finishes with A (Tuesday 17:00), so starts on Monday; one elapsed day
        # later it starts on Tuesday and finishes on Wednesday.
        delayed = task(2, 2, leveling_delay_minutes=1440, leveling_delay_format="ed")
        result = schedule(task(1, 2), delayed, links=(PlanLink(1, 2, "FF"),))
        assert dates(result, 2) == (at(3, 8), at(4, 17))

    def test_a_delay_on_its_own_calendar(self) -> None:
        # B works Tuesday to Thursday only: from Tuesday 08:00, one working day of its
        # calendar later is Wednesday 08:00; two are Thursday; three, the next Tuesday.
        short_week = Calendar(
            "Short week",
            WeekPattern.standard().with_day(0, ()).with_day(4, ()),
        )
        plan_calendar = PlanCalendar(2, short_week)
        delayed = task(
            2, 1, calendar_uid=2, leveling_delay_minutes=3 * DAY, leveling_delay_format="d"
        )
        result = schedule(task(1, 1), delayed, links=(PlanLink(1, 2),), calendars=(plan_calendar,))
        assert dates(result, 2) == (at(10, 8), at(10, 17))

    def test_started_and_manual_tasks_keep_their_dates(self) -> None:
        started = task(
            1, 2, actual_start=at(2, 8), percent_complete=50, leveling_delay_minutes=1440
        )
        manual = task(2, 1, manual=True, start=at(3, 8), leveling_delay_minutes=1440)
        result = schedule(started, manual)
        assert dates(result, 1) == (at(2, 8), at(3, 17))
        assert dates(result, 2) == (at(3, 8), at(3, 17))

    def test_a_must_start_on_date_wins_over_the_delay(self) -> None:
        pinned = task(
            1,
            1,
            constraint_type="MSO",
            constraint_date=at(3, 8),
            leveling_delay_minutes=3 * 1440,
        )
        assert dates(schedule(pinned), 1) == (at(3, 8), at(3, 17))

    def test_a_delayed_summary_subtask_moves_its_summary(self) -> None:
        phase = task(1, 0, summary=True)
        child = task(2, 1, parent_uid=1, outline_level=2, leveling_delay_minutes=1440)
        result = schedule(phase, child)
        assert dates(result, 1) == (at(3, 8), at(3, 17))


class TestCalendars:
    def test_the_project_calendar_with_public_holidays(self) -> None:
        # Thursday 30 April, then Friday 1 May is a French public holiday: Monday 4 May.
        france = PlanCalendar(1, Calendar("France", WeekPattern.standard(), holiday_country="FR"))
        plan = Plan(
            name="P",
            start=datetime(2026, 4, 30, 8),
            calendar_uid=1,
            calendars=(france,),
            tasks=(task(1, 2),),
        )
        result = schedule_plan(plan)
        assert dates(result, 1) == (datetime(2026, 4, 30, 8), datetime(2026, 5, 4, 17))
        assert result.calendar_name == "France"

    def test_a_task_calendar_derived_from_a_base_calendar(self) -> None:
        # The "Saturdays" calendar adds Saturday mornings to its base: 2.5 days from Thursday
        # 5 March end on Saturday 7 at 12:00; the next task, on the project calendar, starts on
        # Monday 9.
        base = Calendar("Standard", WeekPattern.standard())
        saturdays = Calendar(
            "Saturdays",
            WeekPattern.standard().with_day(5, [WorkingPeriod(480, 720)]),
            base=base,
        )
        plan = Plan(
            name="P",
            start=START,
            calendar_uid=1,
            calendars=(PlanCalendar(1, base), PlanCalendar(2, saturdays, base_uid=1)),
            tasks=(
                task(1, 2.5, calendar_uid=2, constraint_type="SNET", constraint_date=at(5, 8)),
                task(2, 1),
            ),
            links=(PlanLink(1, 2),),
        )
        result = schedule_plan(plan)
        assert dates(result, 1) == (at(5, 8), at(7, 12))
        assert dates(result, 2) == (at(9, 8), at(9, 17))


class TestThePlan:
    def test_results_are_keyed_by_uid_in_the_plans_order(self) -> None:
        result = schedule(task(30, 1), task(10, 2), task(20, 1))
        assert result.uids.tolist() == [30, 10, 20]
        assert list(result.tasks) == [30, 10, 20]
        assert [row.uid for row in result] == [30, 10, 20]
        assert len(result) == 3
        assert result.task(10) == result.tasks[10]
        assert (result.project_start, result.project_finish) == (START, at(3, 17))
        with pytest.raises(KeyError):
            result.task(99)

    def test_without_a_start_the_earliest_task_start_is_used(self) -> None:
        result = schedule(task(1, 1, start=at(4, 8)), task(2, 1, start=at(3, 8)), start=None)
        assert result.project_start == at(3, 8)
        assert dates(result, 2) == (at(3, 8), at(3, 17))

    def test_without_any_date_the_plan_cannot_be_scheduled(self) -> None:
        with pytest.raises(ScheduleInputError, match="Plan 'Test': start is required"):
            schedule(task(1, 1), start=None)

    def test_a_plan_scheduled_from_its_finish_is_scheduled_from_its_start(self) -> None:
        result = schedule(task(1, 1), schedule_from_start=False)
        assert dates(result, 1) == (at(2, 8), at(2, 17))
        assert result.warnings == (
            "Plan 'Test': the file schedules the project back from its finish date; it is "
            "scheduled forward from its start",
        )

    def test_an_empty_plan(self) -> None:
        result = schedule()
        assert len(result) == 0
        assert result.project_finish == START
