"""The demo's meetings, planned through the meeting services as the project managers would have.

Each active project with a plan has, around ``today``:

- a weekly status review series of twelve weeks, from seven weeks before this week: the past
  ones held with short minutes about the tasks of that week, those on a French public holiday
  cancelled, and otherwise one of the coming ones cancelled with its reason;
- a steering committee every four weeks (two held, two to come), organised by the project
  manager with the sponsor and the head of the PMO;
- a gate review on the day of the plan's next gate (the milestone that closes a phase);
- a kick-off when the project started in the last eight weeks or starts in the next four.

The demo account is an optional attendee of the committees, gate reviews and kick-offs, so that
its calendar subscription shows them.

The team comes from the plan's assignments: people with an account are attendees, the others
are guests with their addresses, and so is the account manager of each supplier with a
contract on the project. Reproducible: every choice comes from a generator seeded with
``seed``.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import holidays
from django.utils import timezone

from pilotage.accounts.models import User
from pilotage.accounts.permissions import Action, can
from pilotage.collaboration import services
from pilotage.collaboration.models import Meeting, MeetingKind
from pilotage.demo import data
from pilotage.finance.models import Contract
from pilotage.planning.models import Task
from pilotage.portfolio.models import Project, ProjectStatus
from pilotage.resources.models import Resource, ResourceKind

__all__ = ["MeetingSummary", "build_meetings"]

WEEKLY_COUNT = 12
WEEKLY_BEHIND = 7
STEERING_COUNT = 4
STEERING_EVERY_WEEKS = 4
STEERING_BEHIND = 6
WEEKLY_ROOMS = (
    "Room Pasteur, 2nd floor",
    "Room Curie, 2nd floor",
    "Room Lumière, 3rd floor",
    "Room Eiffel, 3rd floor",
    "Room Ampère, 4th floor",
    "Room Monge, 4th floor",
)
WEEKLY_TIMES = ((9, 0), (10, 0), (11, 0), (14, 0), (15, 0))
STEERING_HOURS = (dt.time(9), dt.time(11), dt.time(14), dt.time(16))
KICK_OFF_HOURS = (dt.time(9, 30), dt.time(14))
GATE_HOURS = (dt.time(10), dt.time(14, 30), dt.time(16, 30))
GATE_WITHIN = dt.timedelta(days=120)
KICK_OFF_SINCE = dt.timedelta(weeks=8)
KICK_OFF_AHEAD = dt.timedelta(weeks=4)
TEAM_GUESTS = 4
HOLIDAY_COUNTRY = "FR"

# The account manager of each demo supplier (see demo/finance.py).
SUPPLIER_CONTACTS: dict[str, str] = {
    "NOVACOM": "Léa Fabre",
    "ORBIS": "Mathieu Roche",
    "BRIGHTWATER": "Oliver Hughes",
    "HEXACOM": "Sandrine Lemoine",
}

WEEKLY_AGENDA = (
    "1. Tasks finished and started since last week\n"
    "2. Tasks late or at risk\n"
    "3. Issues and actions\n"
    "4. Next week"
)
STEERING_AGENDA = (
    "1. Progress against the baseline\n"
    "2. Budget and forecast\n"
    "3. Top risks and issues\n"
    "4. Change requests and decisions needed"
)
GATE_AGENDA = (
    "1. Deliverables of the phase\n"
    "2. Exit criteria met or waived\n"
    "3. Risks carried into the next phase\n"
    "4. Go / no-go"
)
KICK_OFF_AGENDA = (
    "1. Objectives, scope and business case\n"
    "2. Plan and milestones\n"
    "3. Roles and governance\n"
    "4. Ways of working"
)

PROGRESS = (
    "{task}: on track.",
    "{task}: two days behind; the team expects to catch up next week.",
    "{task}: waiting for an answer from the business; escalated to the sponsor.",
    "{task}: ahead of plan, a tester freed for the next step.",
    "{task}: reviewed in detail, no change to the forecast.",
)
ACTIONS = (
    "Action: update the forecast in the plan before Friday.",
    "Action: book the test environment for the coming weeks.",
    "Action: confirm the availability of the key users.",
    "Action: bring the open issues to the next steering committee.",
    "No new risk raised.",
)
STEERING_MINUTES = (
    "Progress and budget reviewed against the baseline; the committee confirmed the plan.\n"
    "Decision: keep the milestone dates.\n"
    "Action: the project manager circulates the revised risk register.",
    "The sponsor asked for a recovery plan on the late tasks.\n"
    "Decision: release part of the contingency for one more tester.\n"
    "Action: the PMO updates the portfolio report.",
    "Forecast within tolerance; two risks closed, one new risk on the key users' availability.\n"
    "Decision: start the next phase as planned.",
)
KICK_OFF_MINUTES = (
    "Objectives, scope and business case presented by the sponsor.\n"
    "Plan and milestones walked through; roles and the steering committee confirmed.\n"
    "The team agreed on the weekly status review slot."
)
CANCELLED_REASONS = (
    "The project manager is on leave; progress is reported in writing.",
    "The team is at the supplier's training that day.",
    "The key users are at the quarterly sales meeting.",
)


@dataclass(frozen=True)
class MeetingSummary:
    meetings: int
    held: int
    cancelled: int


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


class _Project:
    """What the meetings of one project need: its people, its guests and its plan."""

    def __init__(self, project: Project, users: Mapping[str, User]) -> None:
        self.project = project
        manager = project.manager
        assert manager is not None, project.code
        self.manager = manager
        resources = (
            Resource.objects.filter(
                assignments__project=project, is_generic=False, kind=ResourceKind.WORK
            )
            .select_related("user")
            .distinct()
            .order_by("name")
        )
        self.team = self._visible(resource.user for resource in resources if resource.user)
        self.team_guests = [
            f"{resource.name} <{resource.email}>"
            for resource in resources
            if resource.user is None and resource.email
        ]
        governance = [project.sponsor, users.get(data.PMO_LEAD)]
        self.governance = self._visible(governance)
        self.observers = self._visible([users.get(data.DEMO_USERNAME)])
        self.supplier_guests = []
        contracts = Contract.objects.filter(project=project).select_related("supplier")
        for supplier in sorted({contract.supplier for contract in contracts}, key=str):
            name = SUPPLIER_CONTACTS.get(supplier.code)
            if name and "@" in supplier.email:
                local = _ascii(name).lower().replace(" ", ".")
                domain = supplier.email.split("@", 1)[1]
                self.supplier_guests.append(f"{name} ({supplier.name}) <{local}@{domain}>")
        self.tasks = list(
            Task.objects.filter(
                project=project,
                is_summary=False,
                is_milestone=False,
                start__isnull=False,
                finish__isnull=False,
            ).order_by("start", "position")
        )
        self.gates = self._gates(project)

    @staticmethod
    def _gates(project: Project) -> list[Task]:
        """The milestones that close a phase (the last row of their summary task), by date."""
        last: dict[int | None, Task] = {}
        for task in Task.objects.filter(project=project).order_by("position"):
            last[task.parent_id] = task
        gates = [
            task
            for parent, task in last.items()
            if parent is not None and task.is_milestone and task.start is not None
        ]
        return sorted(gates, key=lambda task: (task.start, task.position))

    def _visible(self, people: Iterable[User | None]) -> list[User]:
        chosen: list[User] = []
        for person in people:
            if (
                person is not None
                and person != self.manager
                and person not in chosen
                and person.is_active
                and can(person, Action.VIEW, self.project)
            ):
                chosen.append(person)
        return chosen

    def online(self, what: str) -> str:
        return f"https://meet.example.com/{self.project.code.lower()}-{what}"


class _Builder:
    def __init__(self, today: dt.date, rng: random.Random) -> None:
        self.today = today
        self.rng = rng
        self.monday = _monday(today)
        # Meetings that started before today are over: their minutes can be written.
        self.now = _at(today, dt.time(0))
        self.holidays = holidays.country_holidays(
            HOLIDAY_COUNTRY,
            years=range(today.year - 1, today.year + 2),
            language="en_US",
        )
        self.meetings = 0
        self.held = 0
        self.cancelled = 0
        self.steering_slots = 0
        self.weekly_slots = 0
        self.kick_off_slots: set[tuple[dt.date, dt.time]] = set()
        self.gate_slots: set[tuple[dt.date, dt.time]] = set()

    def _working_day(self, day: dt.date) -> dt.date:
        while day.weekday() >= 5 or day in self.holidays:
            day -= dt.timedelta(days=1)
        return day

    def _next_working_day(self, day: dt.date) -> dt.date:
        """The first working day after ``day``."""
        day += dt.timedelta(days=1)
        while day.weekday() >= 5 or day in self.holidays:
            day += dt.timedelta(days=1)
        return day

    def _first_on_or_after(
        self, first: dt.date, earliest: dt.date, every: dt.timedelta, count: int
    ) -> tuple[dt.date, int]:
        while first < earliest and count > 0:
            first += every
            count -= 1
        return first, count

    def _hold(self, meeting: Meeting, minutes: str, actor: User) -> None:
        services.meeting_record_minutes(actor=actor, meeting=meeting, minutes=minutes, now=self.now)
        self.held += 1

    def _cancel(self, meeting: Meeting, reason: str, actor: User) -> None:
        services.meeting_cancel(actor=actor, meeting=meeting, reason=reason)
        self.cancelled += 1

    def _weekly_minutes(self, team: _Project, day: dt.date) -> str:
        running = [
            task
            for task in team.tasks
            if task.start is not None
            and task.finish is not None
            and task.start.date() <= day <= task.finish.date()
        ]
        coming = [
            task
            for task in team.tasks
            if task.start is not None and day < task.start.date() <= day + dt.timedelta(days=7)
        ]
        lines = []
        for task in self.rng.sample(running, k=min(2, len(running))):
            lines.append(self.rng.choice(PROGRESS).format(task=task.name))
        if not lines:
            lines.append("No task in progress this week; the team prepared the next phase.")
        if coming:
            lines.append(f"Next week: {coming[0].name} starts.")
        lines.append(self.rng.choice(ACTIONS))
        return "\n".join(lines)

    def kick_off(self, team: _Project) -> dt.date | None:
        """The kick-off of a project that started lately or starts soon; gives its day."""
        start = team.project.start_date
        if start is None or not (
            self.today - KICK_OFF_SINCE <= start <= self.today + KICK_OFF_AHEAD
        ):
            return None
        day = start if start.weekday() < 5 and start not in self.holidays else None
        day = day or self._next_working_day(start)
        # Kick-offs share the auditorium: a morning and an afternoon a day.
        while all((day, h) in self.kick_off_slots for h in KICK_OFF_HOURS):
            day = self._next_working_day(day)
        hour = next(h for h in KICK_OFF_HOURS if (day, h) not in self.kick_off_slots)
        self.kick_off_slots.add((day, hour))
        meeting = services.meeting_create(
            actor=team.manager,
            project=team.project,
            title="Project kick-off",
            kind=MeetingKind.KICK_OFF,
            starts_at=_at(day, hour),
            ends_at=_at(day, hour) + dt.timedelta(hours=2),
            location="Auditorium, ground floor",
            online_url=team.online("kick-off"),
            attendees=[*team.governance, *team.team],
            optional_attendees=team.observers,
            guests="\n".join([*team.team_guests, *team.supplier_guests]),
            agenda=KICK_OFF_AGENDA,
        )
        self.meetings += 1
        if day < self.today:
            self._hold(meeting, KICK_OFF_MINUTES, team.manager)
        return day

    def weekly(self, team: _Project, kick_off: dt.date | None) -> None:
        project = team.project
        # Each project's review has its own room and slot of the week, so that none overlap.
        slot = self.weekly_slots
        self.weekly_slots += 1
        room = WEEKLY_ROOMS[slot % len(WEEKLY_ROOMS)]
        weekday = (slot // len(WEEKLY_ROOMS)) % 4
        hour, minute = WEEKLY_TIMES[(slot // (len(WEEKLY_ROOMS) * 4)) % len(WEEKLY_TIMES)]
        every = dt.timedelta(weeks=1)
        first = self.monday - WEEKLY_BEHIND * every + dt.timedelta(days=weekday)
        # The reviews begin once the project has started, after its kick-off.
        earliest = max(
            day
            for day in (
                first,
                project.start_date,
                kick_off + dt.timedelta(days=1) if kick_off is not None else None,
            )
            if day is not None
        )
        first, count = self._first_on_or_after(first, earliest, every, WEEKLY_COUNT)
        if project.finish_date is not None:
            count = min(count, max(0, (project.finish_date - first).days // 7 + 1))
        if count < 1:
            return
        start = _at(first, dt.time(hour, minute))
        meetings = services.meeting_series_create(
            actor=team.manager,
            project=project,
            count=count,
            title="Weekly status review",
            kind=MeetingKind.STATUS_REVIEW,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=45),
            location=room,
            online_url=team.online("weekly"),
            attendees=team.team,
            guests="\n".join(team.team_guests[:TEAM_GUESTS]),
            agenda=WEEKLY_AGENDA,
        )
        self.meetings += len(meetings)
        coming = []
        cancelled_ahead = False
        for meeting in meetings:
            day = timezone.localtime(meeting.starts_at).date()
            holiday = self.holidays.get(day)
            if holiday:
                self._cancel(meeting, f"Public holiday ({holiday}).", team.manager)
                cancelled_ahead = cancelled_ahead or day >= self.today
            elif day < self.today:
                self._hold(meeting, self._weekly_minutes(team, day), team.manager)
            else:
                coming.append(meeting)
        if not cancelled_ahead and len(coming) >= 2:
            self._cancel(
                self.rng.choice(coming[1:]), self.rng.choice(CANCELLED_REASONS), team.manager
            )

    def steering(self, team: _Project, kick_off: dt.date | None) -> None:
        project = team.project
        # Committees share the boardroom: each project has its own slot in the four-week
        # cycle (week, Tuesday to Thursday, one of four times), so that none overlap.
        slot = self.steering_slots
        self.steering_slots += 1
        week, weekday = slot % STEERING_EVERY_WEEKS, 1 + (slot // STEERING_EVERY_WEEKS) % 3
        hour = STEERING_HOURS[(slot // (STEERING_EVERY_WEEKS * 3)) % len(STEERING_HOURS)]
        every = dt.timedelta(weeks=STEERING_EVERY_WEEKS)
        first = (
            self.monday - dt.timedelta(weeks=STEERING_BEHIND - week) + dt.timedelta(days=weekday)
        )
        # The first committee sits a fortnight after the kick-off at the earliest.
        earliest = max(
            day
            for day in (
                first,
                project.start_date,
                kick_off + dt.timedelta(weeks=2) if kick_off is not None else None,
            )
            if day is not None
        )
        first, count = self._first_on_or_after(first, earliest, every, STEERING_COUNT)
        if project.finish_date is not None:
            count = min(count, max(0, (project.finish_date - first).days // every.days + 1))
        if count < 1:
            return
        start = _at(first, hour)
        meetings = services.meeting_series_create(
            actor=team.manager,
            project=project,
            count=count,
            every_weeks=STEERING_EVERY_WEEKS,
            title="Steering committee",
            kind=MeetingKind.STEERING_COMMITTEE,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=90),
            location="Boardroom, 6th floor",
            online_url=team.online("steering"),
            attendees=team.governance,
            optional_attendees=team.observers,
            guests="\n".join(team.supplier_guests),
            agenda=STEERING_AGENDA,
        )
        self.meetings += len(meetings)
        held = [
            meeting
            for meeting in meetings
            if timezone.localtime(meeting.starts_at).date() < self.today
        ]
        for number, meeting in enumerate(held):
            minutes = STEERING_MINUTES[(number + self.rng.randrange(3)) % len(STEERING_MINUTES)]
            if meeting is held[-1] and project.health_reason:
                minutes = (
                    f"Status {project.get_health_display()}: {project.health_reason}\n{minutes}"
                )
            self._hold(meeting, minutes, team.manager)

    def gate(self, team: _Project) -> None:
        """A gate review on the day of the next gate milestone, if it comes soon enough."""
        after = dt.datetime.combine(self.today, dt.time(23, 59))
        milestone = next(
            (
                task
                for task in team.gates
                if task.start is not None and after < task.start <= after + GATE_WITHIN
            ),
            None,
        )
        if milestone is None or milestone.start is None:
            return
        day = self._working_day(milestone.start.date())
        if day <= self.today:
            return
        # Gate reviews take turns in the executive room: three a day, then the next working day.
        while all((day, h) in self.gate_slots for h in GATE_HOURS):
            day = self._next_working_day(day)
        hour = next(h for h in GATE_HOURS if (day, h) not in self.gate_slots)
        self.gate_slots.add((day, hour))
        services.meeting_create(
            actor=team.manager,
            project=team.project,
            title=f"Gate review: {milestone.name}"[:255],
            kind=MeetingKind.GATE_REVIEW,
            starts_at=_at(day, hour),
            ends_at=_at(day, hour) + dt.timedelta(hours=1, minutes=30),
            location="Executive room, 6th floor",
            online_url=team.online("gate"),
            attendees=team.governance,
            optional_attendees=team.observers,
            guests="\n".join(team.supplier_guests),
            agenda=GATE_AGENDA,
        )
        self.meetings += 1


def _active(projects: Iterable[Project]) -> Sequence[Project]:
    with_tasks = set(
        Task.objects.filter(project__in=[project.pk for project in projects])
        .values_list("project_id", flat=True)
        .distinct()
    )
    chosen = []
    for project in sorted(projects, key=lambda project: project.code):
        project.refresh_from_db()
        if (
            project.pk in with_tasks
            and project.status == ProjectStatus.ACTIVE
            and project.manager is not None
        ):
            chosen.append(project)
    return chosen


def build_meetings(
    *, users: Mapping[str, User], projects: Iterable[Project], today: dt.date, seed: int = 42
) -> MeetingSummary:
    """Plan the meetings of the active projects (see the module's description); returns how
    many were planned, held and cancelled."""
    # Reproducible on purpose: nothing secret is drawn from it.
    rng = random.Random(f"{seed}:meetings")  # noqa: S311
    builder = _Builder(today, rng)
    for project in _active(list(projects)):
        team = _Project(project, users)
        kick_off = builder.kick_off(team)
        builder.weekly(team, kick_off)
        builder.steering(team, kick_off)
        builder.gate(team)
    return MeetingSummary(meetings=builder.meetings, held=builder.held, cancelled=builder.cancelled)
