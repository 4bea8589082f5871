"""The demo's RAID logs, three-point estimates, change requests and a simulation run.

Everything goes through the RAID services, as the project managers would have done it:

- each active project records three or four risks (generic ones of any project and, for a few,
  their own: DIG-CRM's duplicate accounts, OPS-WMS's go-live in the peak, REG-S4's custom
  code), scored on the default 5 × 5 scales, with response actions (some overdue), the tasks
  they would delay, and twelve weeks of reassessments behind the trend;
- issues, assumptions (a few to validate this month, one proved false), dependencies on
  outside parties and on the other projects their plans link to, and decisions;
- two risks are escalated to the programme and one to the portfolio;
- change requests: on DIG-CRM one approved by the sponsor and applied (new baseline, new
  budget version) and one awaiting the sponsor; one on REG-S4 awaiting the portfolio; one on
  OPS-WMS rejected;
- every unfinished task of an active project gets a three-point estimate (wider on the tasks
  its risks touch) and the PMO has run a 10,000-iteration simulation of DIG-CRM.

Reproducible: every choice comes from a generator seeded with ``seed``.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from pilotage.accounts.models import User
from pilotage.demo import data
from pilotage.demo.raid_data import (
    GENERIC_ASSUMPTIONS,
    GENERIC_DECISIONS,
    GENERIC_ISSUES,
    GENERIC_RISKS,
    PROJECT_RAID,
    ProjectRaid,
    RiskEntry,
)
from pilotage.planning.models import Task
from pilotage.portfolio.models import Project
from pilotage.risks import change_requests as change_request_services
from pilotage.risks import raid as raid_services
from pilotage.risks import register
from pilotage.risks import simulation as simulation_services
from pilotage.risks.models import (
    EscalationLevel,
    EstimateDistribution,
    Risk,
    RiskAssessment,
    RiskStatus,
)

__all__ = ["SIMULATED_PROJECT", "SIMULATION_SEED", "RaidSummary", "build_raid"]

SIMULATED_PROJECT = "DIG-CRM"
SIMULATION_SEED = 20_261_124
ESCALATED = {
    "DIG-CRM": EscalationLevel.PROGRAMME,
    "OPS-WMS": EscalationLevel.PORTFOLIO,
    "REG-S4": EscalationLevel.PROGRAMME,
}


@dataclass(frozen=True)
class RaidSummary:
    risks: int
    issues: int
    assumptions: int
    dependencies: int
    decisions: int
    change_requests: int
    estimates: int
    simulations: int


def _leaves(project: Project) -> list[Task]:
    return list(
        Task.objects.filter(project=project, is_summary=False, is_milestone=False)
        .exclude(percent_complete__gte=100)
        .order_by("position")
    )


def _tasks_for(entry: RiskEntry, leaves: Sequence[Task]) -> list[Task]:
    if entry.delay_days is None:
        return []
    words = [word.lower() for word in entry.task_words]
    matched = [task for task in leaves if any(word in task.name.lower() for word in words)]
    if matched:
        return matched[:3]
    longest = sorted(leaves, key=lambda task: -task.duration_minutes)
    return longest[:1]


def _days(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.1"))


def _history(risk: Risk, entry: RiskEntry, today: dt.date, rng: random.Random) -> None:
    """Twelve weeks of reassessments: first scored at the inherent level with no response yet,
    the residual level reached as the responses took effect (one risk in four got more likely
    before it got better)."""
    moment = timezone.make_aware(dt.datetime.combine(today, dt.time(9)))
    worse = rng.random() < 0.25
    for weeks, share in ((12, None), (8, 0.5), (4, 1.0)):
        probability = entry.probability
        if worse and weeks == 8:
            probability = min(5, entry.probability + 1)
        residual: tuple[int | None, int | None] = (None, None)
        if share is not None:
            residual = (
                round(entry.probability + (entry.residual[0] - entry.probability) * share),
                round(entry.impact + (entry.residual[1] - entry.impact) * share),
            )
        RiskAssessment.objects.create(
            risk=risk,
            assessed_at=moment - dt.timedelta(weeks=weeks),
            assessed_by=risk.owner,
            status=RiskStatus.IDENTIFIED if weeks == 12 else RiskStatus.ACTIVE,
            probability=probability,
            impact=entry.impact,
            residual_probability=residual[0],
            residual_impact=residual[1],
            expected_value=register.risk_expected_value(risk, probability=probability),
        )


def _record_risks(
    project: Project,
    manager: User,
    entries: Sequence[RiskEntry],
    today: dt.date,
    rng: random.Random,
) -> list[Risk]:
    leaves = _leaves(project)
    currency_factor = Decimal("1") if project.currency == "EUR" else Decimal("1.1")
    risks = []
    for number, entry in enumerate(entries):
        tasks = _tasks_for(entry, leaves)
        proximity = tasks[0].start.date() if tasks and tasks[0].start else None
        delay = entry.delay_days
        values: dict[str, object] = {
            "kind": entry.kind,
            "category": entry.category,
            "status": RiskStatus.ACTIVE,
            "description": entry.event,
            "cause": entry.cause,
            "event": entry.event,
            "effect": entry.effect,
            "probability": entry.probability,
            "impact": entry.impact,
            "residual_probability": entry.residual[0],
            "residual_impact": entry.residual[1],
            "response": entry.response,
            "response_plan": entry.response_plan,
            "trigger": entry.trigger,
            "owner": manager,
            "tasks": tasks,
            "proximity": proximity if proximity and proximity > today else None,
            # One review in six is late.
            "review_date": today + dt.timedelta(days=rng.choice((-6, 5, 9, 16, 23, 30))),
        }
        if entry.cost is not None:
            # The same kind of risk costs more or less depending on the project.
            scale = Decimal(str(rng.choice((0.5, 0.75, 1.0, 1.25, 1.5, 2.0))))
            values["cost_impact"] = (Decimal(entry.cost) * scale * currency_factor).quantize(
                Decimal("1000")
            )
        if delay is not None and tasks:
            values["schedule_impact_min_days"] = _days(delay[0])
            values["schedule_impact_likely_days"] = _days(delay[1])
            values["schedule_impact_max_days"] = _days(delay[2])
        risk = register.risk_create(actor=manager, project=project, title=entry.title, **values)
        _history(risk, entry, today, rng)
        for index, description in enumerate(entry.actions):
            due = today + dt.timedelta(days=rng.choice((-12, 6, 10, 20, 35)) + 7 * index)
            action = register.risk_action_create(
                actor=manager, risk=risk, description=description, owner=manager, due_date=due
            )
            if index == 0 and number % 2 == 0:
                register.risk_action_complete(actor=manager, action=action)
        risks.append(risk)
    return risks


def _project_entries(project: Project, rng: random.Random) -> tuple[list[RiskEntry], ProjectRaid]:
    own = PROJECT_RAID.get(project.code, ProjectRaid())
    generic = rng.sample(GENERIC_RISKS, k=3 if own.risks else 4)
    return [*own.risks, *generic], own


def _sponsor(project: Project, users: Mapping[str, User]) -> User:
    return project.sponsor or users[data.PMO_LEAD]


def _change_requests(
    projects: Mapping[str, Project], users: Mapping[str, User], today: dt.date
) -> int:
    made = 0
    crm = projects.get("DIG-CRM")
    if crm is not None and crm.manager is not None:
        manager = crm.manager
        cleanse = Task.objects.filter(project=crm, name="Cleanse duplicate accounts").first()
        request = change_request_services.change_request_create(
            actor=manager,
            project=crm,
            title="Duplicate-matching tool and two data stewards",
            description="License a matching tool and second two data stewards for the cleansing.",
            reason="Rehearsal load 2 rejected 6 % of the accounts; duplicates far above 8 %.",
            scope_impact="No change to the scope; the cleansing is done with more hands.",
            schedule_impact_days=Decimal("10"),
            cost_impact=Decimal("42000"),
            risk_impact="Lowers the probability of the duplicate-accounts risk from 4 to 3.",
        )
        if cleanse is not None:
            change_request_services.change_request_task_add(
                actor=manager,
                change_request=request,
                task=cleanse,
                duration_minutes=cleanse.duration_minutes + 10 * 480,
            )
        change_request_services.change_request_evaluate(
            actor=manager,
            change_request=request,
            evaluation="Cheaper than two more rehearsal loads; the go-live keeps its date.",
        )
        change_request_services.change_request_submit(actor=manager, change_request=request)
        change_request_services.change_request_approve(
            actor=_sponsor(crm, users),
            change_request=request,
            comment="Approved: data quality first.",
        )
        change_request_services.change_request_apply(actor=manager, change_request=request)
        waiting = change_request_services.change_request_create(
            actor=manager,
            project=crm,
            title="A training wave for the Iberian users",
            description="Train the Iberian sales teams in Spanish, after their data is migrated.",
            reason="The Iberian teams asked for training in their own language.",
            scope_impact="Adds a training wave of 90 users.",
            schedule_impact_days=Decimal("5"),
            cost_impact=Decimal("18000"),
        )
        change_request_services.change_request_task_add(
            actor=manager,
            change_request=waiting,
            name="Train the Iberian users",
            duration_minutes=10 * 480,
        )
        change_request_services.change_request_submit(actor=manager, change_request=waiting)
        made += 2
    s4 = projects.get("REG-S4")
    if s4 is not None and s4.manager is not None:
        request = change_request_services.change_request_create(
            actor=s4.manager,
            project=s4,
            title="An offshore factory to remediate custom code",
            description="Remediate the custom objects the readiness check fails in a factory.",
            reason="The readiness check fails more objects than estimated.",
            schedule_impact_days=Decimal("20"),
            cost_impact=Decimal("310000"),
            risk_impact="Lowers the custom-code risk; adds a supplier dependency.",
        )
        change_request_services.change_request_submit(actor=s4.manager, change_request=request)
        made += 1
    wms = projects.get("OPS-WMS")
    if wms is not None and wms.manager is not None:
        request = change_request_services.change_request_create(
            actor=wms.manager,
            project=wms,
            title="Drop RFID labels to go live before the peak",
            description="Go live without RFID labels; add them in the spring.",
            reason="Avoid a cutover during the pre-Christmas peak.",
            scope_impact="RFID labelling moves to a second release.",
            schedule_impact_days=Decimal("-10"),
            cost_impact=Decimal("15000"),
        )
        change_request_services.change_request_submit(actor=wms.manager, change_request=request)
        change_request_services.change_request_reject(
            actor=_sponsor(wms, users),
            change_request=request,
            comment="RFID is what the business case rests on; freeze the cutover instead.",
        )
        made += 1
    return made


def _estimates(project: Project, manager: User, risky: Iterable[Task]) -> int:
    written = simulation_services.estimates_apply_multipliers(
        actor=manager, project=project, optimistic=0.9, most_likely=1.0, pessimistic=1.3
    )
    wide = [task for task in risky if task.duration_minutes > 0]
    if wide:
        simulation_services.estimates_apply_multipliers(
            actor=manager,
            project=project,
            optimistic=0.9,
            most_likely=1.1,
            pessimistic=1.8,
            tasks=wide,
            distribution=EstimateDistribution.PERT,
        )
    return len(written)


def build_raid(
    *, users: Mapping[str, User], projects: Iterable[Project], today: dt.date, seed: int = 42
) -> RaidSummary:
    """Give the demo its RAID logs (see the module's description); returns what was made."""
    # Reproducible on purpose: nothing secret is drawn from it.
    rng = random.Random(f"{seed}:raid")  # noqa: S311
    pmo = users[data.PMO_LEAD]
    register.risk_scales()
    by_code = {project.code: project for project in projects}
    counts = dict.fromkeys(
        ("risks", "issues", "assumptions", "dependencies", "decisions", "estimates"), 0
    )
    for code in sorted(by_code):
        project = by_code[code]
        project.refresh_from_db()
        manager = project.manager
        if manager is None or project.status != "active":
            continue
        if not Task.objects.filter(project=project).exists():
            continue
        entries, own = _project_entries(project, rng)
        risks = _record_risks(project, manager, entries, today, rng)
        counts["risks"] += len(risks)
        level = ESCALATED.get(code)
        if level is not None and risks:
            if level == EscalationLevel.PROGRAMME and not project.programme_id:
                level = EscalationLevel.PORTFOLIO
            register.raid_escalate(
                actor=manager,
                item=risks[0],
                level=level,
                comment="Needs a decision above the project.",
            )
        for issue in (*own.issues, *rng.sample(GENERIC_ISSUES, k=rng.choice((0, 1)))):
            raid_services.issue_create(
                actor=manager,
                project=project,
                title=issue.title,
                description=issue.description,
                severity=issue.severity,
                priority=issue.priority,
                owner=manager,
                due_date=today + dt.timedelta(days=rng.choice((-4, 7, 14))),
            )
            counts["issues"] += 1
        for number, assumption in enumerate((*own.assumptions, rng.choice(GENERIC_ASSUMPTIONS))):
            recorded = raid_services.assumption_create(
                actor=manager,
                project=project,
                title=assumption.title,
                description=assumption.description,
                owner=manager,
                validate_by=today + dt.timedelta(days=rng.choice((-3, 12, 25, 60))),
            )
            if number == 1 and rng.random() < 0.3:
                raid_services.assumption_validate(
                    actor=manager,
                    assumption=recorded,
                    valid=True,
                    note="Confirmed in writing.",
                )
            counts["assumptions"] += 1
        for party, need in own.external:
            raid_services.dependency_create(
                actor=manager,
                project=project,
                title=need,
                external_party=party,
                owner=manager,
                needed_by=today + dt.timedelta(days=rng.choice((14, 30, 45))),
            )
            counts["dependencies"] += 1
        links = raid_services.dependency_plan_links(user=manager, project=project)
        if links:
            counts["dependencies"] += len(
                raid_services.dependency_import_from_plan(
                    actor=manager, project=project, links=links
                )
            )
        decisions = list(own.decisions)
        if rng.random() < 0.35:
            decisions.append(rng.choice(GENERIC_DECISIONS))
        for decision in decisions:
            raid_services.decision_create(
                actor=manager,
                project=project,
                title=decision.title,
                decided_on=today - dt.timedelta(days=rng.randint(10, 80)),
                decided_by_name=decision.by or "Steering committee",
                rationale=decision.rationale,
                affects=decision.affects,
            )
            counts["decisions"] += 1
        risky = {task.pk: task for risk in risks for task in risk.tasks.all()}
        counts["estimates"] += _estimates(project, manager, risky.values())
    made = _change_requests(by_code, users, today)
    simulations = 0
    simulated = by_code.get(SIMULATED_PROJECT)
    if simulated is not None and simulated.status == "active":
        simulation_services.simulation_run(
            actor=pmo,
            project=simulated,
            iterations=10_000,
            seed=SIMULATION_SEED,
            include_risks=True,
            deadline=simulated.finish_date,
            budget=simulated.budget,
            name="Monthly risk review",
        )
        simulations = 1
    return RaidSummary(
        risks=counts["risks"],
        issues=counts["issues"],
        assumptions=counts["assumptions"],
        dependencies=counts["dependencies"],
        decisions=counts["decisions"],
        change_requests=made,
        estimates=counts["estimates"],
        simulations=simulations,
    )
