"""The DCMA 14-point assessment of a scheduled plan, by task UID, on plans worked by hand.

Unless a test says otherwise, the plan uses Microsoft Project's standard calendar (08:00-12:00
and 13:00-17:00, Monday to Friday, so a day is 480 working minutes) and starts on Monday
2 March 2026 at 08:00. UIDs are not the tasks' positions in the plan.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest

from pilotage.engine.errors import ScheduleInputError
from pilotage.engine.health import (
    CheckStatus,
    HealthCheckKind,
    HealthRating,
    HealthThresholds,
)
from pilotage.engine.plan import Plan, PlanLink, PlanTask
from pilotage.engine.plan_health import PlanHealth, assess_plan_health
from pilotage.engine.schedule_plan import PlanSchedule, schedule_plan

DAY = 480
START = datetime(2026, 3, 2, 8)
Kind = HealthCheckKind


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour)


def task(uid: int, days: float = 1, **fields: object) -> PlanTask:
    values: dict[str, object] = {
        "uid": uid,
        "id": uid,
        "name": f"T{uid}",
        "duration_minutes": round(days * DAY),
    }
    values.update(fields)
    return PlanTask(**values)  # type: ignore[arg-type]


def milestone(uid: int, **fields: object) -> PlanTask:
    return task(uid, 0, milestone=True, **fields)


def schedule(*tasks: PlanTask, links: tuple[PlanLink, ...] = (), **fields: object) -> PlanSchedule:
    values: dict[str, object] = {"name": "Test", "start": START}
    values.update(fields)
    return schedule_plan(Plan(tasks=tasks, links=links, **values))  # type: ignore[arg-type]


def launch(*, lead: bool = False) -> PlanSchedule:
    """Kick-off (70) -> design (2 days, 31) -> build (3 days, 52) -> launched (90); the manual
    (1 day, 44) has no link at all. With ``lead``, build starts a day before design finishes."""
    return schedule(
        milestone(70),
        task(31, 2),
        task(52, 3),
        task(44),
        milestone(90),
        links=(
            PlanLink(70, 31),
            PlanLink(31, 52, lag_minutes=-DAY if lead else 0),
            PlanLink(52, 90),
        ),
    )


def progressed() -> PlanSchedule:
    """At Thursday 5 March 17:00: survey (1 day, 21) ran on Monday as baselined; design (2 days,
    31) finished on Wednesday, a day late; build (2 days, 52) has not started though due that
    Thursday; test (1 day, 63) is due the next week. All lead to launched (90)."""
    kick_off = milestone(70, actual_start=START, actual_finish=START, percent_complete=100)
    return schedule(
        kick_off,
        task(21, actual_start=START, actual_finish=at(2, 17), percent_complete=100),
        task(31, 2, actual_start=START, actual_finish=at(4, 17), percent_complete=100),
        task(52, 2),
        task(63),
        milestone(90),
        links=(
            PlanLink(70, 21),
            PlanLink(70, 31),
            PlanLink(31, 52),
            PlanLink(52, 63),
            PlanLink(21, 90),
            PlanLink(63, 90),
        ),
        status_date=at(5, 17),
    )


PROGRESSED_BASELINE = {
    70: (START, START),
    21: (START, at(2, 17)),
    31: (START, at(3, 17)),
    52: (at(4, 8), at(5, 17)),
    63: (at(9, 8), at(9, 17)),
    90: (at(9, 17), at(9, 17)),
}


class TestScheduleKeepsItsNetwork:
    def test_the_network_is_the_one_that_gave_the_dates(self) -> None:
        result = launch()
        network = result.network
        assert network is not None
        assert network.tasks.ids.tolist() == [70, 31, 52, 44, 90]
        assert np.array_equal(network.result.finish, result.finish)
        assert np.array_equal(network.result.total_float_minutes, result.total_float_minutes)
        assert network.links.size == 3
        assert len(network.calendars) == 1

    def test_links_from_another_project_are_not_in_it(self) -> None:
        result = schedule(
            task(1),
            task(2),
            links=(PlanLink(1, 2), PlanLink(77, 2, cross_project=True)),
        )
        assert result.network is not None
        assert result.network.links.size == 1

    def test_a_link_that_would_move_a_manual_task_is_not_in_it(self) -> None:
        # Design (2 days) runs Monday to Tuesday; the manual task is kept on Monday.
        result = schedule(
            task(1, 2),
            task(2, manual=True, start=START),
            task(3),
            links=(PlanLink(1, 2), PlanLink(2, 3)),
        )
        assert result.network is not None
        links, uids = result.network.links, result.network.tasks.ids
        kept = zip(uids[links.predecessor].tolist(), uids[links.successor].tolist(), strict=True)
        assert list(kept) == [(2, 3)]
        assert result.task(2).early_start == START

    def test_an_elapsed_day_is_a_day_of_twenty_four_hours(self) -> None:
        result = schedule(task(1), task(2, duration_minutes=1440, elapsed=True))
        assert result.network is not None
        days = [working.calendar.minutes_per_day for working in result.network.calendars]
        assert days == [480, 1440]

    def test_the_standard_calendar_has_the_plans_day(self) -> None:
        result = schedule(task(1), minutes_per_day=420)
        assert result.network is not None
        assert result.network.calendars[0].calendar.minutes_per_day == 420


class TestLogic:
    def test_a_dangling_task_fails_naming_its_uid(self) -> None:
        # Total tasks: design, build and the manual; the manual has no link.
        health = assess_plan_health(launch())
        logic = health.result.check(Kind.LOGIC)
        assert logic.status is CheckStatus.FAILED
        assert (logic.numerator, logic.denominator) == (1, 3)
        assert health.offending(Kind.LOGIC) == (44,)
        assert health.offending_uids[Kind.LOGIC] == (44,)

    def test_a_linked_plan_passes(self) -> None:
        result = schedule(
            milestone(70),
            task(31, 2),
            task(52, 3),
            milestone(90),
            links=(PlanLink(70, 31), PlanLink(31, 52), PlanLink(52, 90)),
        )
        health = assess_plan_health(result)
        assert health.result.check(Kind.LOGIC).passed
        assert health.offending(Kind.LOGIC) == ()

    def test_an_inactive_task_is_left_out(self) -> None:
        # The manual, inactive, is not part of the work: the two others are linked.
        result = schedule(
            milestone(70),
            task(31, 2),
            task(52, 3),
            task(44, active=False),
            milestone(90),
            links=(PlanLink(70, 31), PlanLink(31, 52), PlanLink(52, 90), PlanLink(31, 44)),
        )
        health = assess_plan_health(result)
        logic = health.result.check(Kind.LOGIC)
        assert logic.passed
        assert (logic.numerator, logic.denominator) == (0, 2)
        assert health.left_out == (44,)

    def test_a_summary_task_with_only_inactive_tasks_is_left_out(self) -> None:
        result = schedule(
            milestone(70),
            task(31, 2),
            task(5, summary=True),
            task(6, parent_uid=5, outline_level=2, active=False),
            milestone(90),
            links=(PlanLink(70, 31), PlanLink(31, 90)),
        )
        health = assess_plan_health(result)
        assert health.left_out == (5, 6)
        assert health.result.check(Kind.LOGIC).denominator == 1

    def test_an_active_task_keeps_its_summary_task(self) -> None:
        # The link into the summary task drives both tasks under it.
        result = schedule(
            milestone(70),
            task(5, summary=True),
            task(6, parent_uid=5, outline_level=2),
            task(7, parent_uid=5, outline_level=2, active=False),
            milestone(90),
            links=(PlanLink(70, 5), PlanLink(6, 90)),
        )
        health = assess_plan_health(result)
        assert health.left_out == (7,)
        assert health.result.check(Kind.LOGIC).passed


class TestLinks:
    def test_a_lead_is_reported_on_the_successors_uid(self) -> None:
        health = assess_plan_health(launch(lead=True))
        leads = health.result.check(Kind.LEADS)
        assert leads.status is CheckStatus.FAILED
        assert (leads.numerator, leads.denominator) == (1, 3)
        assert health.offending(Kind.LEADS) == (52,)

    def test_a_lag_is_reported_on_the_successors_uid(self) -> None:
        result = schedule(
            task(1), task(2), task(3), links=(PlanLink(1, 2), PlanLink(2, 3, lag_minutes=DAY))
        )
        assert assess_plan_health(result).offending(Kind.LAGS) == (3,)


class TestBaseline:
    def test_a_task_that_finished_late_is_a_missed_task(self) -> None:
        # Due by Thursday 17:00: survey (on time), design (a day late), build (not finished).
        health = assess_plan_health(progressed(), baseline=PROGRESSED_BASELINE)
        missed = health.result.check(Kind.MISSED_TASKS)
        assert missed.status is CheckStatus.FAILED
        assert (missed.numerator, missed.denominator) == (2, 3)
        assert health.offending(Kind.MISSED_TASKS) == (31, 52)

    def test_the_baseline_execution_index_counts_the_tasks_finished(self) -> None:
        # Survey and design finished, out of three tasks due: BEI 2 / 3.
        health = assess_plan_health(progressed(), baseline=PROGRESSED_BASELINE)
        execution = health.result.check(Kind.BASELINE_EXECUTION_INDEX)
        assert execution.value == pytest.approx(2 / 3)
        assert execution.status is CheckStatus.FAILED
        assert health.offending(Kind.BASELINE_EXECUTION_INDEX) == (52,)

    def test_without_a_baseline_the_baseline_checks_are_not_assessed(self) -> None:
        health = assess_plan_health(progressed())
        assert not health.result.check(Kind.MISSED_TASKS).assessed
        assert not health.result.check(Kind.BASELINE_EXECUTION_INDEX).assessed

    def test_tasks_that_are_no_longer_in_the_plan_are_ignored(self) -> None:
        baseline = {**PROGRESSED_BASELINE, 999: (START, at(3, 17))}
        health = assess_plan_health(progressed(), baseline=baseline)
        assert health.offending(Kind.MISSED_TASKS) == (31, 52)

    def test_a_task_without_a_baseline_is_not_due(self) -> None:
        baseline = {uid: dates for uid, dates in PROGRESSED_BASELINE.items() if uid != 31}
        health = assess_plan_health(progressed(), baseline=baseline)
        assert health.offending(Kind.MISSED_TASKS) == (52,)

    @pytest.mark.parametrize(
        "entry", [(START,), (START, "2026-03-03"), [START, at(3, 17)]], ids=str
    )
    def test_a_malformed_entry_is_refused_naming_the_task(self, entry: object) -> None:
        with pytest.raises(ScheduleInputError, match="Task 31"):
            assess_plan_health(progressed(), baseline={31: entry})  # type: ignore[dict-item]


class TestResources:
    def test_not_assessed_without_the_resourced_tasks(self) -> None:
        check = assess_plan_health(launch()).result.check(Kind.RESOURCES)
        assert check.status is CheckStatus.NOT_ASSESSED

    def test_the_tasks_without_resources_are_named(self) -> None:
        health = assess_plan_health(launch(), resourced={31, 52, 999})
        check = health.result.check(Kind.RESOURCES)
        assert (check.numerator, check.denominator) == (1, 3)
        assert health.offending(Kind.RESOURCES) == (44,)


class TestScore:
    def test_score_and_rating(self) -> None:
        # Not assessed: resources, missed tasks, BEI. Of the eleven others only the logic
        # check fails: 10 / 11 is green.
        health = assess_plan_health(launch())
        assert health.result.assessed_count == 11
        assert health.result.passed_count == 10
        assert health.score_percent == pytest.approx(100 * 10 / 11)
        assert health.rating is HealthRating.GREEN

    def test_a_failing_resources_check_brings_the_rating_to_amber(self) -> None:
        # The manual has no resources either: 10 checks passed of 12, 83 %, below 85 %.
        health = assess_plan_health(launch(), resourced={31, 52})
        assert health.score_percent == pytest.approx(100 * 10 / 12)
        assert health.rating is HealthRating.AMBER

    def test_thresholds_are_applied(self) -> None:
        # One task in three without logic passes when up to 40 % is allowed.
        health = assess_plan_health(launch(), thresholds=HealthThresholds(missing_logic_percent=40))
        assert health.result.check(Kind.LOGIC).passed
        assert health.offending(Kind.LOGIC) == (44,)
        assert health.rating is HealthRating.GREEN
        assert health.score_percent == 100.0

    def test_every_check_has_its_offending_uids(self) -> None:
        health = assess_plan_health(progressed(), baseline=PROGRESSED_BASELINE)
        assert list(health.offending_uids) == list(HealthCheckKind)
        for check in health.result.checks:
            assert health.offending(check.kind) == tuple(check.offending_ids.tolist())


class TestDays:
    def test_the_float_of_an_elapsed_task_is_counted_in_elapsed_days(self) -> None:
        # Build (20 days) runs to Friday 27 March 17:00; the delivery (1 elapsed day, Monday
        # 08:00 to Tuesday 08:00) may slip 24 days and 9 hours: not more than 44 days, though
        # it is 73 days of 480 minutes.
        result = schedule(
            milestone(1),
            task(2, 20),
            task(3, duration_minutes=1440, elapsed=True, duration_format="ed"),
            milestone(4),
            links=(PlanLink(1, 2), PlanLink(1, 3), PlanLink(2, 4), PlanLink(3, 4)),
        )
        assert result.task(3).total_float_minutes == 24 * 1440 + 9 * 60
        health = assess_plan_health(result)
        assert health.result.check(Kind.HIGH_FLOAT).passed
        assert health.offending(Kind.HIGH_FLOAT) == ()

    def test_durations_are_counted_in_the_plans_days(self) -> None:
        # 44 days of 8 hours are 50.3 days of 7 hours: more than 44.
        result = schedule(
            milestone(1),
            task(2, 44),
            milestone(3),
            links=(PlanLink(1, 2), PlanLink(2, 3)),
            minutes_per_day=420,
        )
        health = assess_plan_health(result)
        assert health.offending(Kind.HIGH_DURATION) == (2,)
        eight_hours = schedule(
            milestone(1), task(2, 44), milestone(3), links=(PlanLink(1, 2), PlanLink(2, 3))
        )
        assert assess_plan_health(eight_hours).offending(Kind.HIGH_DURATION) == ()


class TestStatusDate:
    def test_the_schedules_status_date_by_default(self) -> None:
        assert assess_plan_health(progressed()).status_date == at(5, 17)

    def test_a_status_date_given(self) -> None:
        # On the Friday after, test is also due and nothing more has finished.
        health = assess_plan_health(
            progressed(), status_date=at(9, 17), baseline=PROGRESSED_BASELINE
        )
        assert health.status_date == at(9, 17)
        assert health.offending(Kind.MISSED_TASKS) == (31, 52, 63)

    def test_the_plans_current_date_without_a_status_date(self) -> None:
        result = schedule(task(1), current_date=at(4, 8))
        assert assess_plan_health(result).status_date == at(4, 8)

    def test_the_project_start_without_progress(self) -> None:
        assert assess_plan_health(launch()).status_date == START

    def test_the_latest_actual_date_with_progress(self) -> None:
        result = schedule(
            task(1, 2, actual_start=START, actual_finish=at(3, 17), percent_complete=100),
            task(2, actual_start=at(4, 8), percent_complete=50),
            links=(PlanLink(1, 2),),
        )
        health = assess_plan_health(result)
        assert health.status_date == at(4, 8)
        assert health.result.check(Kind.INVALID_DATES).passed


class TestErrors:
    def test_a_schedule_without_its_network_is_refused(self) -> None:
        result = launch()
        fields = {name: getattr(result, name) for name in result.__dataclass_fields__}
        bare = PlanSchedule(**{**fields, "network": None})
        with pytest.raises(ScheduleInputError, match="does not keep the network"):
            assess_plan_health(bare)

    def test_a_check_key_that_does_not_exist(self) -> None:
        health = assess_plan_health(launch())
        assert isinstance(health, PlanHealth)
        with pytest.raises(ValueError, match="nonsense"):
            health.offending("nonsense")
