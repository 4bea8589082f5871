"""A person with assignments, made through the services, for the timesheet tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from pilotage.accounts.models import Role, User
from pilotage.finance import timesheets
from pilotage.finance.models import Timesheet
from pilotage.planning import services as planning
from pilotage.planning.models import Task
from pilotage.portfolio.models import Project
from pilotage.resources import services as resources
from pilotage.resources.models import Resource
from tests.factories import MembershipFactory, UserFactory
from tests.world import World

MONDAY = dt.date(2026, 11, 2)
WEEK = [MONDAY + dt.timedelta(days=offset) for offset in range(7)]


@dataclass
class Team:
    """Alice (user ``alice``, team member of CRM and HR) on CRM's "Build" (10 days, full time,
    from MONDAY) and HR's "Specify" (10 days, half time); her internal rate is 60 EUR/h."""

    user: User
    alice: Resource
    build: Task
    specify: Task

    @property
    def project(self) -> Project:
        return self.build.project


def _plan(world: World, project: Project) -> None:
    planning.plan_update(
        actor=world.admin, project=project, start=dt.datetime.combine(MONDAY, dt.time(8))
    )


def team(world: World, *, rate: Decimal | None = Decimal("60")) -> Team:
    user = UserFactory(username="alice", first_name="Alice", last_name="Martin")
    MembershipFactory(user=user, role=Role.TEAM_MEMBER, project=world.project)
    MembershipFactory(user=user, role=Role.TEAM_MEMBER, project=world.sibling_project)
    alice = resources.resource_create(
        actor=world.admin,
        name="Alice Martin",
        user=user,
        standard_rate=rate,
        standard_rate_unit="h",
    )
    _plan(world, world.project)
    _plan(world, world.sibling_project)
    build = planning.task_create(
        actor=world.admin, project=world.project, name="Build", duration_minutes=10 * 480
    )
    specify = planning.task_create(
        actor=world.admin, project=world.sibling_project, name="Specify", duration_minutes=4800
    )
    resources.assignment_create(actor=world.admin, task=build, resource=alice)
    resources.assignment_create(
        actor=world.admin, task=specify, resource=alice, units=Decimal("0.5")
    )
    build.refresh_from_db()
    specify.refresh_from_db()
    return Team(user=user, alice=alice, build=build, specify=specify)


def filled(
    world: World,
    crew: Team,
    *,
    week: dt.date = MONDAY,
    build_minutes: int = 480,
    specify_minutes: int = 0,
    days: int = 5,
    submit: bool = True,
) -> Timesheet:
    """Alice's week with ``build_minutes`` (and ``specify_minutes``) a day on the first
    ``days`` days, submitted unless told otherwise."""
    sheet = timesheets.timesheet_get_or_create(
        actor=crew.user, resource=crew.alice, week_start=week
    )
    dates = [week + dt.timedelta(days=offset) for offset in range(days)]
    rows = [timesheets.TimesheetRow(task=crew.build, days=dict.fromkeys(dates, build_minutes))]
    if specify_minutes:
        rows.append(
            timesheets.TimesheetRow(task=crew.specify, days=dict.fromkeys(dates, specify_minutes))
        )
    timesheets.timesheet_save(actor=crew.user, timesheet=sheet, rows=rows)
    if submit:
        timesheets.timesheet_submit(actor=crew.user, timesheet=sheet)
    sheet.refresh_from_db()
    return sheet
