"""The dates check of an imported plan: what agrees, and the reason given for what does not."""

from __future__ import annotations

from datetime import datetime

from pilotage.engine.plan import Plan, PlanLink, PlanTask
from pilotage.interop.dates import check_dates

MONDAY = datetime(2026, 3, 2, 8, 0)
DAY = 480


def task(uid: int, **values: object) -> PlanTask:
    fields: dict[str, object] = {"id": uid, "name": f"T{uid}", "duration_minutes": DAY}
    fields.update(values)
    return PlanTask(uid=uid, **fields)  # type: ignore[arg-type]


def plan(*tasks: PlanTask, links: tuple[PlanLink, ...] = ()) -> Plan:
    return Plan(name="P", start=MONDAY, tasks=tasks, links=links)


def test_the_same_working_moment_written_two_ways_agrees() -> None:
    # Five days from Monday end on Friday 17:00; a tool may write Monday 08:00 for the milestone.
    checked = check_dates(
        plan(
            task(1, duration_minutes=5 * DAY, start=MONDAY, finish=datetime(2026, 3, 6, 17)),
            task(
                2,
                duration_minutes=0,
                milestone=True,
                start=datetime(2026, 3, 9, 8),
                finish=datetime(2026, 3, 9, 8),
            ),
            links=(PlanLink(1, 2),),
        )
    )
    assert (checked.compared, checked.agreeing, checked.differences) == (2, 2, ())


def test_a_day_late_is_a_difference() -> None:
    checked = check_dates(plan(task(1, start=MONDAY, finish=datetime(2026, 3, 3, 17))))
    assert [(item.uid, item.reason) for item in checked.differences] == [(1, "other")]
    assert checked.differences[0].finish == datetime(2026, 3, 2, 17)


def test_reasons_name_manual_tasks_leveling_and_progress_out_of_sequence() -> None:
    checked = check_dates(
        plan(
            task(1, duration_minutes=3 * DAY, start=MONDAY, finish=datetime(2026, 3, 4, 17)),
            task(
                2,
                manual=True,
                start=datetime(2026, 3, 2, 8),
                finish=datetime(2026, 3, 10, 17),
            ),
            # T1 ends on Wednesday, then two working days of leveling delay: the file's
            # Monday would agree, but the file has Tuesday (another leveling run, say).
            task(
                3,
                leveling_delay_minutes=2 * DAY,
                leveling_delay_format="d",
                start=datetime(2026, 3, 10, 8),
                finish=datetime(2026, 3, 10, 17),
            ),
            task(
                4,
                percent_complete=50,
                actual_start=datetime(2026, 3, 3, 8),
                start=datetime(2026, 3, 3, 8),
                finish=datetime(2026, 3, 3, 17),
            ),
            links=(PlanLink(1, 3), PlanLink(1, 4)),
        )
    )
    reasons = {item.uid: item.reason for item in checked.differences}
    assert reasons == {2: "manual", 3: "leveling", 4: "progress"}
    assert checked.reasons == {"manual": 1, "leveling": 1, "progress": 1}


def test_a_leveling_delay_is_applied_so_the_delayed_dates_agree() -> None:
    # T1 (three days) ends on Wednesday 4; T2 could start on Thursday 5, and one elapsed day
    # of leveling delay puts it on Friday 6, as the file says.
    checked = check_dates(
        plan(
            task(1, duration_minutes=3 * DAY, start=MONDAY, finish=datetime(2026, 3, 4, 17)),
            task(
                2,
                leveling_delay_minutes=1440,
                leveling_delay_format="ed",
                start=datetime(2026, 3, 6, 8),
                finish=datetime(2026, 3, 6, 17),
            ),
            links=(PlanLink(1, 2),),
        )
    )
    assert (checked.compared, checked.agreeing, checked.differences) == (2, 2, ())


def test_a_plan_that_cannot_be_scheduled_says_why() -> None:
    checked = check_dates(
        plan(task(1, start=MONDAY), task(2, start=MONDAY), links=(PlanLink(1, 2), PlanLink(2, 1)))
    )
    assert checked.compared == 0
    assert "cycle" in checked.error.lower()
