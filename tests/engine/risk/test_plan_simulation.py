"""``simulate_plan``: a whole plan simulated by task UID, against closed forms and the schedule.

The plans start on Monday 2 March 2026 at 08:00 on the standard calendar (480 working minutes a
day) unless they say otherwise.
"""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from pilotage.engine.calendars import Calendar, WeekPattern, WorkingPeriod
from pilotage.engine.errors import RiskInputError
from pilotage.engine.plan import Plan, PlanCalendar, PlanLink, PlanTask
from pilotage.engine.risk import (
    Pert,
    PlanRiskEvent,
    PlanSimulation,
    Triangular,
    Uniform,
    simulate_plan,
)
from pilotage.engine.schedule_plan import schedule_plan
from pilotage.interop.planfile import read_plan_file

DAY = 480
START = datetime(2026, 3, 2, 8)
FIXTURES = Path(__file__).parents[2] / "cli" / "fixtures"


def chain_plan(n: int) -> Plan:
    return Plan(
        name="Chain",
        start=START,
        tasks=tuple(
            PlanTask(uid=10 + k, id=k + 1, name=f"Step {k}", duration_minutes=DAY) for k in range(n)
        ),
        links=tuple(PlanLink(10 + k, 11 + k) for k in range(n - 1)),
    )


def test_a_chain_of_identical_tasks_follows_the_normal_approximation() -> None:
    n, low, mode, high = 25, 240, 480, 1200
    estimate = Triangular(low, mode, high)
    result = simulate_plan(
        chain_plan(n),
        rng=np.random.default_rng(21),
        iterations=4000,
        estimates={10 + k: estimate for k in range(n)},
        percentiles=(10, 50, 90),
    )
    mean = n * estimate.mean
    sd = math.sqrt(n * (low**2 + mode**2 + high**2 - low * mode - low * high - mode * high) / 18)
    minutes = result.finish_minutes
    assert minutes.mean() == pytest.approx(mean, abs=4 * sd / math.sqrt(4000) + 1)
    assert minutes.std() == pytest.approx(sd, rel=0.05)
    z90 = 1.2815515655446004
    expected = [mean - z90 * sd, mean, mean + z90 * sd]
    got = [np.percentile(minutes, p, method="higher") for p in (10, 50, 90)]
    assert got == pytest.approx(expected, abs=0.1 * sd)
    assert set(result.finish_percentiles) == {"P10", "P50", "P90"}
    assert result.criticality == dict.fromkeys(range(10, 10 + n), 1.0)


def test_a_merge_of_parallel_paths_follows_order_statistics() -> None:
    # k parallel tasks, uniform on [0, 10 days], join a milestone: the finish is their maximum,
    # whose distribution function is (t / 10 days) ** k.
    k, width = 5, 10 * DAY
    plan = Plan(
        name="Merge",
        start=START,
        tasks=(
            *(
                PlanTask(uid=1 + j, id=1 + j, name=f"Path {j}", duration_minutes=DAY)
                for j in range(k)
            ),
            PlanTask(uid=99, id=k + 1, name="Joined", milestone=True),
        ),
        links=tuple(PlanLink(1 + j, 99) for j in range(k)),
    )
    result = simulate_plan(
        plan,
        rng=np.random.default_rng(22),
        iterations=8000,
        estimates={1 + j: Uniform(0, width) for j in range(k)},
    )
    expected = [width * (p / 100) ** (1 / k) for p in (10, 50, 80, 90)]
    got = [np.percentile(result.finish_minutes, p, method="higher") for p in (10, 50, 80, 90)]
    assert got == pytest.approx(expected, rel=0.02)
    assert [result.criticality[1 + j] for j in range(k)] == pytest.approx([1 / k] * k, abs=0.03)
    assert result.criticality[99] == 1.0


MORNINGS = Calendar(
    "Mornings", WeekPattern(((WorkingPeriod.from_clock("07:00", "12:00"),),) * 6 + ((),))
)


def real_plan() -> Plan:
    """A plan in progress with what real plans carry, all at once.

    Two calendars (a task on a six-day morning calendar), an elapsed task, a summary task over
    a finished task, a started one and an ALAP one; milestones; another project's task pinned
    as a finished elapsed milestone; a manually scheduled task; an inactive task; a leveling
    delay; SNET, FNLT and MSO constraints and a deadline; elapsed, percentage and negative lags;
    a status date.
    """
    return Plan(
        name="Real",
        start=START,
        status_date=datetime(2026, 3, 5, 12),
        calendars=(PlanCalendar(2, MORNINGS),),
        tasks=(
            PlanTask(
                uid=900,
                id=None,
                name="OTHER: Permit",
                milestone=True,
                elapsed=True,
                duration_format="ed",
                percent_complete=100,
                actual_start=datetime(2026, 3, 3, 15),
                actual_finish=datetime(2026, 3, 3, 15),
            ),
            PlanTask(uid=1, id=1, name="Build", summary=True),
            PlanTask(
                uid=2,
                id=2,
                name="Foundations",
                outline_level=2,
                parent_uid=1,
                duration_minutes=2 * DAY,
                percent_complete=100,
                actual_start=START,
                actual_finish=datetime(2026, 3, 3, 17),
            ),
            PlanTask(
                uid=3,
                id=3,
                name="Walls",
                outline_level=2,
                parent_uid=1,
                duration_minutes=5 * DAY,
                percent_complete=30,
                actual_start=datetime(2026, 3, 4, 8),
            ),
            PlanTask(
                uid=4,
                id=4,
                name="Paint order",
                outline_level=2,
                parent_uid=1,
                duration_minutes=DAY,
                constraint_type="ALAP",
            ),
            PlanTask(
                uid=5,
                id=5,
                name="Crane",
                duration_minutes=6 * 300,
                calendar_uid=2,
                leveling_delay_minutes=2880,
            ),
            PlanTask(
                uid=6,
                id=6,
                name="Drying",
                duration_minutes=3 * 1440,
                elapsed=True,
                duration_format="ed",
            ),
            PlanTask(
                uid=7,
                id=7,
                name="Inspection",
                duration_minutes=DAY,
                manual=True,
                start=datetime(2026, 3, 23, 8),
            ),
            PlanTask(
                uid=8,
                id=8,
                name="Survey",
                duration_minutes=DAY // 2,
                constraint_type="SNET",
                constraint_date=datetime(2026, 3, 9, 13),
            ),
            PlanTask(uid=9, id=9, name="Old idea", duration_minutes=DAY, active=False),
            PlanTask(
                uid=10,
                id=10,
                name="Roof",
                duration_minutes=2 * DAY,
                constraint_type="FNLT",
                constraint_date=datetime(2026, 3, 20, 17),
            ),
            PlanTask(
                uid=11,
                id=11,
                name="Handover",
                milestone=True,
                deadline=datetime(2026, 3, 27, 17),
            ),
            PlanTask(
                uid=12,
                id=12,
                name="Site visit",
                milestone=True,
                constraint_type="MSO",
                constraint_date=datetime(2026, 3, 12, 10),
            ),
        ),
        links=(
            PlanLink(900, 3, lag_minutes=1440, lag_format="ed", elapsed_lag=True),
            PlanLink(2, 3),
            PlanLink(3, 5, "SS", lag_format="%", lag_percent=60),
            PlanLink(5, 6),
            PlanLink(6, 10, lag_minutes=-240),
            PlanLink(8, 10),
            PlanLink(9, 10),
            PlanLink(4, 10, "FF"),
            PlanLink(10, 7),
            PlanLink(7, 11),
            PlanLink(12, 11),
            PlanLink(1, 11),
            PlanLink(99, 3, cross_project=True, cross_project_name="Elsewhere"),
        ),
    )


@pytest.mark.parametrize("method", ["compiled", "exact"])
@pytest.mark.parametrize("how", ["estimates", "uncertainty"])
def test_zero_width_estimates_reproduce_the_schedule(how: str, method: str) -> None:
    plan = real_plan()
    schedule = schedule_plan(plan)
    leaves = [task.uid for task in plan.tasks if not task.summary]
    chosen: dict[str, Any]
    if how == "estimates":
        chosen = {"estimates": {task.uid: float(task.duration_minutes) for task in plan.tasks[1:]}}
        chosen["estimates"].pop(1)
    else:
        chosen = {"uncertainty": Triangular(1, 1, 1)}
    result = simulate_plan(
        plan,
        rng=np.random.default_rng(3),
        iterations=25,
        method=method,  # type: ignore[arg-type]
        **chosen,
    )
    assert result.method == method
    assert result.deterministic_finish == schedule.project_finish
    assert set(result.finish_samples.tolist()) == {schedule.project_finish}
    assert set(result.finish_percentiles.values()) == {schedule.project_finish}
    assert result.criticality == {uid: float(schedule.task(uid).critical) for uid in leaves}
    assert 0.0 in result.criticality.values()
    assert 1.0 in result.criticality.values()
    assert result.contingency(80) == (0, 0.0, 0.0)
    assert result.sensitivity == {}
    assert any("Manually scheduled" in warning and "7" in warning for warning in result.warnings)


@pytest.mark.parametrize("name", ["office-move.toml", "launch.xml"])
def test_zero_width_estimates_reproduce_the_schedule_of_plan_files(name: str) -> None:
    plan = read_plan_file(FIXTURES / name).plan
    schedule = schedule_plan(plan)
    result = simulate_plan(
        plan, rng=np.random.default_rng(4), iterations=10, uncertainty=Triangular(1, 1, 1)
    )
    assert set(result.finish_samples.tolist()) == {schedule.project_finish}
    for row in schedule:
        if not row.summary:
            assert result.criticality[row.uid] == float(row.critical)


def test_the_real_plan_varies_where_it_should() -> None:
    plan = real_plan()
    result = simulate_plan(
        plan,
        rng=np.random.default_rng(5),
        iterations=3000,
        uncertainty=Triangular(0.8, 1.0, 1.8),
    )
    schedule = result.schedule
    assert result.finish_percentiles["P10"] <= result.finish_percentiles["P90"]
    assert min(result.finish_samples.tolist()) < schedule.project_finish
    assert max(result.finish_samples.tolist()) > schedule.project_finish
    # Finished tasks and milestones never vary; the others do.
    assert not {2, 900, 11, 12} & set(result.sensitivity)
    assert {3, 5, 6, 8, 10} <= set(result.sensitivity)
    assert result.criticality[2] == result.criticality[900] == 0.0
    # An ALAP task is always critical, as in the schedule.
    assert result.criticality[4] == 1.0


def test_the_same_seed_gives_the_same_result() -> None:
    plan = real_plan()

    def run(seed: int) -> PlanSimulation:
        return simulate_plan(
            plan,
            rng=np.random.default_rng(seed),
            iterations=400,
            estimates={3: Pert(5 * DAY, 6 * DAY, 10 * DAY), 8: (100, 240, 960)},
            uncertainty=Triangular(0.9, 1.0, 1.5),
            costs={3: (1000, 1500, 4000), 10: 800.0},
            risks=[PlanRiskEvent(0.3, (5, 10), delay_minutes=Uniform(0, DAY), cost=500)],
            correlation=[(3, 8, 0.6)],
        )

    first, again, other = run(7), run(7), run(8)
    assert first.finish_samples.tolist() == again.finish_samples.tolist()
    assert first.cost_samples.tolist() == again.cost_samples.tolist()
    assert first.criticality == again.criticality
    assert first.tornado(5) == again.tornado(5)
    assert first.finish_samples.tolist() != other.finish_samples.tolist()


def test_the_results_read_by_uid_and_date() -> None:
    plan = chain_plan(3)
    result = simulate_plan(
        plan,
        rng=np.random.default_rng(9),
        iterations=3000,
        estimates={10: Uniform(400, 560), 11: Uniform(0, 4000), 12: Uniform(300, 700)},
        costs={10: (100, 200, 600), 11: 50.0},
        deadline=datetime(2026, 3, 5, 17),
        budget=320,
    )
    assert [uid for uid, _, _ in result.tornado(3)] == [11, 12, 10]
    assert result.tornado(1)[0][1] == "Step 1"
    assert result.tornado(1)[0][2] > 0.9
    minutes, days, cost = result.contingency(80)
    assert days == minutes / DAY
    assert minutes == np.percentile(result.finish_minutes, 80, method="higher") - 3 * DAY
    assert cost == pytest.approx(np.percentile(result.cost_samples, 80) - 250)
    assert result.planned_cost == 250
    deadline = np.datetime64("2026-03-05T17:00")
    assert result.deadline_probability == pytest.approx((result.finish_samples <= deadline).mean())
    assert result.budget_probability == pytest.approx((result.cost_samples <= 320).mean())
    counts, edges = result.finish_histogram(12)
    assert counts.sum() == 3000
    assert edges.size == 13
    assert edges[0] == result.finish_samples.min()
    assert edges[-1] == result.finish_samples.max()
    finishes, probabilities = result.cumulative()
    assert (np.diff(finishes.astype(np.int64)) > 0).all()
    assert (np.diff(probabilities) > 0).all()
    assert probabilities[-1] == 1.0
    assert result.cost_histogram(10)[0].sum() == 3000
    median = np.percentile(result.finish_samples.astype(np.int64), 50, method="higher")
    assert result.finish_percentiles["P50"] == np.datetime64(int(median), "m").astype(datetime)


def test_a_started_task_keeps_its_actual_start_and_varies_its_remaining_work() -> None:
    plan = Plan(
        name="Started",
        start=START,
        status_date=datetime(2026, 3, 4, 8),
        tasks=(
            PlanTask(
                uid=1,
                id=1,
                name="Dig",
                duration_minutes=5 * DAY,
                percent_complete=40,
                actual_start=START,
            ),
            PlanTask(uid=2, id=2, name="Pour", duration_minutes=2 * DAY),
        ),
        links=(PlanLink(1, 2),),
    )
    result = simulate_plan(
        plan,
        rng=np.random.default_rng(10),
        iterations=3000,
        uncertainty=Uniform(0, 2),
        estimates={2: 2 * DAY},
    )
    # 2 days done, 0 to 6 days remaining, 2 days after.
    assert result.finish_minutes.min() >= 4 * DAY
    assert result.finish_minutes.max() <= 10 * DAY
    assert result.finish_minutes.mean() == pytest.approx(7 * DAY, rel=0.02)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"estimates": {77: 480}}, "estimates: task 77 is not in the plan"),
        ({"estimates": {10: (600, 480, 900)}}, r"Task 10: estimate: .*low <= mode <= high"),
        (
            {"estimates": {10: (-60, 480, 900)}},
            "Task 10: estimate: a duration must not be negative",
        ),
        ({"estimates": {10: (1, 2)}}, "Task 10: estimate: expected a .low, mode, high."),
        ({"costs": {10: "cheap"}}, "Task 10: cost"),
        (
            {"risks": [PlanRiskEvent(0.5, (55,), delay_minutes=60, name="Rain")]},
            "Risk 'Rain': task 55",
        ),
        ({"correlation": [(10, 11, 1.5)]}, "tasks 10 and 11: rho must be within -1 to 1"),
        ({"correlation": [(10, 11, 0.5)]}, "task 10 has no uncertain duration"),
        ({"iterations": 0}, "iterations must be at least 1"),
        ({"percentiles": (50, 101)}, "percentiles"),
        ({"uncertainty": (1.2, 1.0, 1.5)}, "uncertainty"),
    ],
)
def test_bad_input_is_refused_naming_the_task(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(RiskInputError, match=match):
        simulate_plan(chain_plan(3), rng=np.random.default_rng(0), **kwargs)  # type: ignore[arg-type]


def test_a_summary_task_has_no_estimate_of_its_own() -> None:
    with pytest.raises(RiskInputError, match="task 1 is a summary task"):
        simulate_plan(real_plan(), rng=np.random.default_rng(0), estimates={1: 480})


def test_a_risk_probability_outside_zero_one_is_refused() -> None:
    with pytest.raises(RiskInputError, match="Risk 'Flood': probability"):
        PlanRiskEvent(-0.1, (10,), delay_minutes=60, name="Flood")
