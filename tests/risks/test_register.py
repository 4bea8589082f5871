"""The risk register's services: scales, settings, risks and their rules, actions, reviews,
escalation, the expected value, the heat map, the trend and what each user sees."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from pilotage.core.audit import history_for
from pilotage.core.errors import ForbiddenError, NotFoundError
from pilotage.planning import services as planning
from pilotage.planning.models import Task
from pilotage.risks import register
from pilotage.risks.models import (
    EscalationLevel,
    Issue,
    Risk,
    RiskActionStatus,
    RiskAssessment,
    RiskScaleLevel,
    RiskStatus,
    ScaleKind,
)
from tests.world import World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def make_risk(world: World, title: str = "Supplier late", **values: Any) -> Risk:
    values.setdefault("probability", 3)
    values.setdefault("impact", 3)
    project = values.pop("project", world.project)
    return register.risk_create(actor=world.admin, project=project, title=title, **values)


def messages_of(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return error.value.message_dict


# Scales and settings ------------------------------------------------------------------------


def test_the_default_scales_are_five_by_five_with_their_meaning() -> None:
    scales = register.risk_scales()
    assert [level.name for level in scales.probability] == [
        "Rare",
        "Unlikely",
        "Possible",
        "Likely",
        "Almost certain",
    ]
    assert [level.probability_percent for level in scales.probability] == [
        Decimal(5),
        Decimal(20),
        Decimal(40),
        Decimal(60),
        Decimal(85),
    ]
    assert (scales.impact[0].name, scales.impact[-1].name) == ("Very low", "Very high")
    assert all(
        level.schedule_days and level.cost and level.quality and level.reputation
        for level in scales.impact
    )
    register.risk_scales()
    assert RiskScaleLevel.objects.count() == 10


def _levels(count: int, percents: list[int] | None = None) -> list[dict[str, Any]]:
    percents = percents or [round(100 * (n + 0.5) / count) for n in range(count)]
    return [
        {"level": n + 1, "name": f"P{n + 1}", "probability_percent": Decimal(percents[n])}
        for n in range(count)
    ]


def test_a_scale_is_replaced_as_a_whole(world: World) -> None:
    register.risk_scale_update(
        actor=world.pmo, kind=ScaleKind.PROBABILITY, levels=_levels(4, [10, 30, 60, 90])
    )
    scales = register.risk_scales()
    assert [level.name for level in scales.probability] == ["P1", "P2", "P3", "P4"]
    assert scales.percent(3) == Decimal(60)
    assert scales.max_score == 20


@pytest.mark.parametrize(
    ("levels", "message"),
    [
        (_levels(2), "from 3 to 9 levels, not 2"),
        (_levels(10), "from 3 to 9 levels, not 10"),
        ([*_levels(3)[:2], {**_levels(3)[0]}], "Level 1 is given twice"),
        ([*_levels(4)[:2], _levels(4)[3]], "from 1 to 3 without a gap (given: 1, 2, 4)"),
        ([*_levels(3)[:2], {**_levels(3)[2], "name": "  "}], "Level 3 has no name"),
        (_levels(3, [10, 50, 40]), "must increase from one level to the next"),
        (_levels(3, [10, 50, 120]), "between 0 and 100 %, not 120"),
    ],
)
def test_a_wrong_scale_is_refused_and_nothing_saved(
    world: World, levels: list[dict[str, Any]], message: str
) -> None:
    before = [level.name for level in register.risk_scales().probability]
    with pytest.raises(ValidationError) as error:
        register.risk_scale_update(actor=world.admin, kind=ScaleKind.PROBABILITY, levels=levels)
    assert any(message in text for text in messages_of(error)["levels"]), messages_of(error)
    assert [level.name for level in register.risk_scales().probability] == before


def test_a_scale_shorter_than_the_risks_scored_on_it_is_refused(world: World) -> None:
    make_risk(world, probability=5, impact=2)
    make_risk(
        world, title="Other", probability=2, impact=5, residual_probability=1, residual_impact=4
    )
    with pytest.raises(ValidationError) as error:
        register.risk_scale_update(actor=world.admin, kind=ScaleKind.PROBABILITY, levels=_levels(4))
    assert "1 risk is scored above level 4 on this scale (R-001)" in messages_of(error)["levels"][0]
    with pytest.raises(ValidationError) as error:
        register.risk_scale_update(
            actor=world.admin,
            kind=ScaleKind.IMPACT,
            levels=[{"level": n, "name": f"I{n}"} for n in (1, 2, 3)],
        )
    assert "(R-002)" in messages_of(error)["levels"][0]
    make_risk(world, title="Third", probability=1, impact=4)
    with pytest.raises(ValidationError) as error:
        register.risk_scale_update(
            actor=world.admin,
            kind=ScaleKind.IMPACT,
            levels=[{"level": n, "name": f"I{n}"} for n in (1, 2, 3)],
        )
    assert "2 risks are scored above level 3 on this scale (R-002, R-003)" in str(error.value)
    assert RiskScaleLevel.objects.filter(kind=ScaleKind.IMPACT).count() == 5


@pytest.mark.parametrize("who", ["portfolio_manager", "project_manager", "viewer", "finance"])
def test_only_administrators_and_the_pmo_change_scales_and_settings(world: World, who: str) -> None:
    with pytest.raises(ForbiddenError):
        register.risk_scale_update(
            actor=world.user(who), kind=ScaleKind.PROBABILITY, levels=_levels(5)
        )
    with pytest.raises(ForbiddenError):
        register.risk_settings_update(actor=world.user(who), amber_score=4)
    assert register.may_manage_scales(world.pmo)
    assert register.may_manage_scales(world.admin)
    assert not register.may_manage_scales(world.user(who))


def test_settings_thresholds_are_checked(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        register.risk_settings_update(actor=world.pmo, amber_score=10, red_score=8)
    assert "must be above the amber one" in messages_of(error)["red_score"][0]
    with pytest.raises(ValidationError) as error:
        register.risk_settings_update(actor=world.pmo, red_score=30)
    assert "highest score on the scales is 25" in messages_of(error)["red_score"][0]
    with pytest.raises(ValidationError) as error:
        register.risk_settings_update(actor=world.pmo, programme_cost_threshold=Decimal(900_000))
    assert "portfolio_cost_threshold" in messages_of(error)
    settings = register.risk_settings_update(actor=world.pmo, amber_score=6, red_score=15)
    assert (settings.amber_score, settings.red_score) == (6, 15)
    assert register.rag_for(15, settings) == "red"
    assert register.rag_for(14, settings) == "amber"
    assert register.rag_for(5, settings) == "green"


# Risks ----------------------------------------------------------------------------------------


def test_create_numbers_the_risk_and_derives_its_scope(world: World) -> None:
    first = make_risk(world)
    second = make_risk(world, title="Key person leaves", project=world.sibling_project)
    other = make_risk(world, title="Elsewhere", project=world.other_project)
    assert (first.code, second.code, other.code) == ("R-001", "R-002", "R-001")
    assert first.portfolio == world.portfolio
    assert first.programme == world.programme
    assert second.programme is None
    interval = register.risk_settings().review_interval_days
    assert first.review_date == timezone.localdate() + dt.timedelta(days=interval)
    assert first.assessments.count() == 1
    typed = make_risk(world, title="Typed code", code=" RISK-9 ")
    assert typed.code == "RISK-9"
    assert make_risk(world, title="Next").code == "R-003"
    with pytest.raises(ValidationError) as error:
        make_risk(world, title="Twice", code="R-001")
    assert "already has a risk with this code" in str(error.value)


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"probability": 6}, "probability", "from 1 to 5 of the probability scale"),
        ({"impact": 0}, "impact", "from 1 to 5 of the impact scale"),
        ({"residual_probability": 2}, "residual_impact", "both the residual probability"),
        (
            {"residual_probability": 4, "residual_impact": 4},
            "residual_probability",
            "residual score (4 × 4 = 16) cannot be higher than the inherent score (3 × 3 = 9)",
        ),
        (
            {"residual_probability": 1, "residual_impact": 7},
            "residual_impact",
            "from 1 to 5 of the impact scale",
        ),
        (
            {"kind": "opportunity", "residual_probability": 2, "residual_impact": 2},
            "residual_probability",
            "cannot be lower than the inherent score (3 × 3 = 9): an opportunity's responses",
        ),
        ({"probability_percent": Decimal(120)}, "probability_percent", "less than or equal"),
        ({"schedule_impact_min_days": Decimal(-1)}, "schedule_impact_min_days", "negative"),
        (
            {"schedule_impact_min_days": Decimal(5), "schedule_impact_likely_days": Decimal(3)},
            "schedule_impact_likely_days",
            "from the lowest to the most likely to the highest",
        ),
        (
            {"schedule_impact_likely_days": Decimal(5), "schedule_impact_max_days": Decimal(4)},
            "schedule_impact_max_days",
            "from the lowest to the most likely to the highest",
        ),
        ({"response": "exploit"}, "response", "A threat's response is one of: avoid, mitigate"),
        (
            {"kind": "opportunity", "response": "mitigate"},
            "response",
            "An opportunity's response is one of: exploit, enhance, share",
        ),
        ({"cost_impact": Decimal(-5)}, "cost_impact", "positive amount"),
    ],
)
def test_risk_rules(world: World, values: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(ValidationError) as error:
        make_risk(world, **values)
    assert any(message in text for text in messages_of(error).get(field, [])), messages_of(error)
    assert not Risk.objects.exists()
    assert not RiskAssessment.objects.exists()


def test_an_opportunitys_responses_raise_its_residual_score(world: World) -> None:
    chance = make_risk(
        world,
        kind="opportunity",
        probability=3,
        impact=2,
        residual_probability=4,
        residual_impact=2,
        response="enhance",
    )
    assert (chance.score, chance.residual_score) == (6, 8)


def test_tasks_of_another_project_are_refused_without_naming_them(world: World) -> None:
    planning.plan_update(actor=world.admin, project=world.project, start=dt.datetime(2026, 3, 2, 8))
    own = planning.task_create(actor=world.admin, project=world.project, name="Build")
    foreign = planning.task_create(
        actor=world.admin, project=world.other_project, name="Secret warehouse task"
    )
    with pytest.raises(ValidationError) as error:
        make_risk(world, tasks=[own, foreign])
    text = messages_of(error)["tasks"][0]
    assert "Tasks affected: only tasks of project CRM can be linked (1 chosen are not)" in text
    assert "Secret" not in text
    assert not Risk.objects.exists()
    risk = make_risk(world, tasks=[own])
    with pytest.raises(ValidationError):
        register.risk_update(actor=world.admin, risk=risk, tasks=[foreign])
    assert list(risk.tasks.all()) == [own]
    assert list(Task.objects.get(pk=own.pk).risks.all()) == [risk]


def test_the_owner_must_see_the_project(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        make_risk(world, owner=world.outsider)
    assert "outsider cannot see project CRM" in messages_of(error)["owner"][0]
    assert make_risk(world, owner=world.project_manager).owner == world.project_manager
    assert world.project_manager in register.project_people(world.project)
    assert world.outsider not in register.project_people(world.project)


def test_updates_that_change_scores_or_status_are_assessments(world: World) -> None:
    risk = make_risk(world)
    register.risk_update(actor=world.admin, risk=risk, description="More words")
    assert risk.assessments.count() == 1
    register.risk_update(actor=world.admin, risk=risk, residual_probability=2, residual_impact=2)
    register.risk_update(actor=world.admin, risk=risk, status=RiskStatus.ACTIVE)
    register.risk_update(actor=world.admin, risk=risk, cost_impact=Decimal(1000))
    rows = list(risk.assessments.order_by("assessed_at", "pk"))
    assert len(rows) == 4
    assert (rows[1].residual_probability, rows[1].residual_impact) == (2, 2)
    assert rows[2].status == RiskStatus.ACTIVE
    assert rows[3].expected_value == Decimal("400.00")
    assert rows[0].assessed_by == world.admin


def test_close_reopen_and_review(world: World) -> None:
    risk = make_risk(world)
    register.risk_close(actor=world.project_manager, risk=risk)
    risk.refresh_from_db()
    assert risk.status == RiskStatus.CLOSED
    assert risk.closed_at is not None
    with pytest.raises(ValidationError):
        register.risk_close(actor=world.admin, risk=risk)
    with pytest.raises(ValidationError, match="reopen it to review it"):
        register.risk_review(actor=world.admin, risk=risk)
    register.risk_reopen(actor=world.project_manager, risk=risk)
    risk.refresh_from_db()
    assert (risk.status, risk.closed_at) == (RiskStatus.ACTIVE, None)
    risk = register.risk_review(actor=world.project_manager, risk=risk)
    interval = register.risk_settings().review_interval_days
    assert risk.review_date == timezone.localdate() + dt.timedelta(days=interval)
    assert risk.reviewed_at is not None
    assert risk.assessments.count() == 4


def test_overdue_reviews(world: World) -> None:
    late = make_risk(world, review_date=dt.date(2020, 1, 1))
    make_risk(world, title="Fine")
    closed = make_risk(world, title="Closed late", review_date=dt.date(2020, 1, 1))
    register.risk_close(actor=world.admin, risk=closed)
    overdue = register.risk_reviews_overdue(user=world.viewer, project=world.project)
    assert [risk.code for risk in overdue] == [late.code]
    assert list(register.risk_reviews_overdue(user=world.outsider)) == []


def test_permissions_of_risk_writes(world: World) -> None:
    with pytest.raises(ForbiddenError):
        register.risk_create(actor=world.viewer, project=world.project, title="No")
    with pytest.raises(NotFoundError):
        register.risk_create(actor=world.outsider, project=world.project, title="No")
    risk = register.risk_create(actor=world.project_manager, project=world.project, title="Yes")
    with pytest.raises(ForbiddenError):
        register.risk_delete(actor=world.project_manager, risk=risk)
    register.risk_delete(actor=world.portfolio_manager, risk=risk)
    assert not Risk.objects.exists()


def test_risk_list_filters_and_visibility(world: World) -> None:
    red = make_risk(world, title="Red one", probability=4, impact=4, category="supplier")
    amber = make_risk(world, title="Amber one", probability=2, impact=3, kind="opportunity")
    green = make_risk(
        world, title="Green one", probability=1, impact=2, owner=world.project_manager
    )
    hidden = make_risk(world, title="Warehouse", project=world.other_project)
    mitigated = make_risk(
        world, title="Mitigated", probability=4, impact=4, residual_probability=1, residual_impact=4
    )
    codes = lambda **kw: [r.code for r in register.risk_list(user=world.viewer, **kw)]  # noqa: E731
    assert codes(rag="red") == [red.code]
    assert set(codes(rag="green")) == {green.code, mitigated.code}
    assert codes(category="supplier") == [red.code]
    assert codes(kind="opportunity") == [amber.code]
    assert codes(owner=world.project_manager) == [green.code]
    assert codes(search="warehouse") == []
    assert codes(min_score=6) == [red.code, amber.code]
    assert codes(probability=4, impact=4) == [red.code, mitigated.code]
    assert codes(probability=4, impact=4, residual=True) == [red.code]
    assert codes(probability=1, impact=4, residual=True) == [mitigated.code]
    assert codes(ordering="code") == ["R-001", "R-002", "R-003", "R-004"]
    assert hidden.code not in codes(project=world.other_project)
    assert [r.code for r in register.risk_list(user=world.outsider)] == [hidden.code]
    assert [r.code for r in register.risk_list(user=world.nobody)] == []
    register.risk_close(actor=world.admin, risk=green)
    assert green.code not in codes(status="open")
    assert codes(status="closed") == [green.code]
    first = register.risk_list(user=world.viewer, ordering="-score")[0]
    assert (first.code, first.current_score_value, first.rag_value) == (red.code, 16, "red")
    with pytest.raises(NotFoundError):
        register.risk_get_for_user(hidden.pk, user=world.viewer)


# Expected value -------------------------------------------------------------------------------


def test_expected_value_of_threats_and_opportunities(world: World) -> None:
    scales = register.risk_scales()
    threat = make_risk(world, probability=4, cost_impact=Decimal("10000"))
    assert register.risk_expected_value(threat, scales) == Decimal("6000.00")
    chance = make_risk(
        world,
        title="Subsidy",
        kind="opportunity",
        probability=2,
        probability_percent=Decimal("33"),
        cost_impact=Decimal("1001"),
    )
    assert register.risk_expected_value(chance, scales) == Decimal("-330.33")
    none = make_risk(world, title="No cost")
    assert register.risk_expected_value(none, scales) is None
    listed = {r.code: r.emv_value for r in register.risk_list(user=world.admin)}
    assert listed == {
        threat.code: Decimal("6000.00"),
        chance.code: Decimal("-330.33"),
        none.code: None,
    }
    assert [r.code for r in register.risk_list(user=world.admin, ordering="-emv")] == [
        threat.code,
        chance.code,
        none.code,
    ]


# Actions --------------------------------------------------------------------------------------


def test_actions_and_their_owner(world: World) -> None:
    risk = make_risk(world)
    action = register.risk_action_create(
        actor=world.project_manager,
        risk=risk,
        description=" Second supplier ",
        owner=world.viewer,
        due_date=dt.date(2020, 5, 1),
    )
    assert action.description == "Second supplier"
    register.risk_action_create(actor=world.admin, risk=risk, description="Later", due_date=None)
    overdue = register.risk_action_list(user=world.viewer, project=world.project, overdue=True)
    assert [a.description for a in overdue] == ["Second supplier"]
    with pytest.raises(ForbiddenError):
        register.risk_action_update(actor=world.viewer, action=action, description="Mine")
    register.risk_action_complete(actor=world.viewer, action=action)
    action.refresh_from_db()
    assert action.status == RiskActionStatus.DONE
    assert action.done_at is not None
    assert not register.risk_action_list(user=world.admin, overdue=True).exists()
    with pytest.raises(ValidationError, match="already done"):
        register.risk_action_complete(actor=world.admin, action=action)
    register.risk_action_reopen(actor=world.admin, action=action)
    register.risk_action_cancel(actor=world.project_manager, action=action)
    action.refresh_from_db()
    assert (action.status, action.done_at) == (RiskActionStatus.CANCELLED, None)
    with pytest.raises(ForbiddenError):
        register.risk_action_complete(actor=world.finance, action=action)
    with pytest.raises(ValidationError) as error:
        register.risk_action_create(
            actor=world.admin, risk=risk, description="X", owner=world.outsider
        )
    assert "cannot see project CRM" in messages_of(error)["owner"][0]
    with pytest.raises(NotFoundError):
        register.risk_action_get_for_user(action.pk, user=world.outsider)


# Escalation -----------------------------------------------------------------------------------


def test_escalate_to_the_programme_then_the_portfolio_and_back(world: World) -> None:
    risk = make_risk(world)
    register.raid_escalate(
        actor=world.project_manager, item=risk, level="programme", comment="Needs the sponsor"
    )
    risk.refresh_from_db()
    assert risk.escalation_level == EscalationLevel.PROGRAMME
    assert risk.escalated_by == world.project_manager
    assert risk.escalated_at is not None
    entry = history_for(risk).first()
    assert entry is not None
    fields = {change["field"]: change for change in entry.changes}
    assert fields["escalation_level"]["new"] == "programme"
    assert fields["escalation_comment"]["new_text"] == "Needs the sponsor"
    register.raid_escalate(actor=world.project_manager, item=risk, level="portfolio")
    with pytest.raises(ForbiddenError, match="Only someone who may change the portfolio"):
        register.raid_escalate(actor=world.project_manager, item=risk, level="project")
    with pytest.raises(ValidationError, match="already at the portfolio level"):
        register.raid_escalate(actor=world.portfolio_manager, item=risk, level="portfolio")
    register.raid_escalate(actor=world.portfolio_manager, item=risk, level="project")
    risk.refresh_from_db()
    assert (risk.escalation_level, risk.escalated_at, risk.escalated_by) == ("project", None, None)


def test_a_project_outside_a_programme_escalates_to_the_portfolio(world: World) -> None:
    risk = make_risk(world, project=world.sibling_project)
    with pytest.raises(ValidationError, match="not in a programme"):
        register.raid_escalate(actor=world.admin, item=risk, level="programme")
    with pytest.raises(ForbiddenError):
        register.raid_escalate(actor=world.viewer, item=risk, level="portfolio")
    register.raid_escalate(actor=world.admin, item=risk, level="portfolio")
    assert risk.escalation_level == "portfolio"


def test_escalation_works_for_issues_and_shows_on_the_portfolio(world: World) -> None:
    risk = make_risk(world)
    issue = Issue.objects.create(
        portfolio=world.portfolio,
        programme=world.programme,
        project=world.project,
        code="I-001",
        title="Server down",
    )
    hidden = make_risk(world, title="Hidden", project=world.other_project)
    register.raid_escalate(actor=world.admin, item=hidden, level="portfolio")
    register.raid_escalate(actor=world.admin, item=risk, level="programme")
    register.raid_escalate(actor=world.admin, item=issue, level="portfolio")
    items = register.raid_escalated(user=world.viewer)
    assert [item.code for item in items] == ["I-001", risk.code]
    assert [i.code for i in register.raid_escalated(user=world.viewer, level="portfolio")] == [
        "I-001"
    ]
    assert [i.code for i in register.raid_escalated(user=world.outsider)] == [hidden.code]
    assert [r.code for r in register.risk_list(user=world.viewer, escalated=True)] == [risk.code]


# Heat map, top risks, trend -------------------------------------------------------------------


def test_heat_map_counts_open_visible_risks(world: World) -> None:
    make_risk(world, probability=4, impact=3)
    make_risk(world, title="b", probability=4, impact=3, residual_probability=2, residual_impact=2)
    make_risk(world, title="c", probability=1, impact=5)
    closed = make_risk(world, title="d", probability=4, impact=3)
    register.risk_close(actor=world.admin, risk=closed)
    make_risk(world, title="e", probability=4, impact=3, project=world.other_project)
    inherent = register.risk_heat_map(user=world.viewer)
    assert inherent.total == 3
    assert inherent.count(4, 3) == 2
    assert inherent.count(1, 5) == 1
    assert [row.level.level for row in inherent.rows] == [5, 4, 3, 2, 1]
    cell = next(
        c for row in inherent.rows for c in row.cells if (c.probability, c.impact) == (4, 3)
    )
    assert (cell.score, cell.rag) == (12, "red")
    residual = register.risk_heat_map(user=world.viewer, residual=True)
    assert residual.count(4, 3) == 1
    assert residual.count(2, 2) == 1
    assert register.risk_heat_map(user=world.outsider).total == 1
    assert register.risk_heat_map(user=world.viewer, project=world.sibling_project).total == 0


def test_top_risks_by_score_then_expected_value(world: World) -> None:
    make_risk(world, title="Small", probability=1, impact=1)
    big = make_risk(world, title="Big", probability=4, impact=4, cost_impact=Decimal(100))
    bigger = make_risk(world, title="Bigger", probability=4, impact=4, cost_impact=Decimal(500))
    mitigated = make_risk(
        world, title="Mitigated", probability=5, impact=5, residual_probability=1, residual_impact=1
    )
    top = register.risk_top(user=world.viewer, limit=3)
    assert [r.code for r in top] == [bigger.code, big.code, "R-001"]
    inherent = register.risk_top(user=world.viewer, by="inherent", limit=1)
    assert [r.code for r in inherent] == [mitigated.code]


def test_trend_counts_open_risks_by_week_from_the_history(world: World) -> None:
    risk = make_risk(world, probability=4, impact=4, cost_impact=Decimal(1000))
    other = make_risk(world, title="Low", probability=1, impact=1, cost_impact=Decimal(100))
    now = timezone.now()
    RiskAssessment.objects.filter(risk=risk).update(assessed_at=now - dt.timedelta(weeks=3))
    RiskAssessment.objects.filter(risk=other).update(assessed_at=now - dt.timedelta(weeks=2))
    register.risk_update(actor=world.admin, risk=risk, residual_probability=2, residual_impact=2)
    latest = risk.assessments.order_by("-pk")[0]
    RiskAssessment.objects.filter(pk=latest.pk).update(assessed_at=now - dt.timedelta(weeks=1))
    register.risk_close(actor=world.admin, risk=other)
    weeks = register.risk_trend(user=world.viewer, project=world.project)
    assert len(weeks) == 4
    assert [(w.red, w.amber, w.green) for w in weeks] == [
        (1, 0, 0),
        (1, 0, 1),
        (0, 0, 2),
        (0, 0, 1),
    ]
    assert weeks[0].expected_value == {"EUR": Decimal("600.00")}
    assert weeks[2].expected_value == {"EUR": Decimal("605.00")}
    assert all(w.week.weekday() == 0 for w in weeks)
    assert register.risk_trend(user=world.outsider, project=world.project) == []
    assert len(register.risk_trend(user=world.viewer, weeks=2)) == 2


def test_overview_counts(world: World) -> None:
    make_risk(world, probability=4, impact=4)
    make_risk(world, title="g", probability=1, impact=1)
    Issue.objects.create(
        portfolio=world.portfolio, project=world.project, code="I-001", title="Down"
    )
    overview = register.raid_overview(user=world.viewer, project=world.project)
    assert overview.risks_by_rag == {"red": 1, "amber": 0, "green": 1}
    assert overview.open_risks == 2
    assert overview.open_issues == 1
    assert overview.assumptions_due == 0
    assert overview.change_requests_waiting == 0
