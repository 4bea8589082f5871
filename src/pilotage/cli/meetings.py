"""The ``meetings`` command: the project meetings the user may see, in local time."""

from __future__ import annotations

import json
from typing import Any

import click
from django.utils.translation import gettext

from pilotage.cli.base import (
    Command,
    Context,
    fail,
    gettext_noop,
    option,
    pass_context,
    project_filter,
    render_table,
)


def _iso(moment: Any) -> str:
    from django.utils import timezone

    return str(timezone.localtime(moment).isoformat())


def _when(meeting: Any) -> tuple[str, str]:
    """The start as a local date and time, and the end as a time (with its date when the
    meeting ends on another day)."""
    from django.utils import timezone

    start = timezone.localtime(meeting.starts_at)
    end = timezone.localtime(meeting.ends_at)
    ends = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%Y-%m-%d %H:%M}"
    return f"{start:%Y-%m-%d %H:%M}", ends


def _person(user: Any) -> str:
    return str(user.get_username())


def _as_json(meeting: Any) -> dict[str, Any]:
    from pilotage.collaboration.selectors import parse_guests

    guests, _ = parse_guests(meeting.guests)
    return {
        "id": meeting.pk,
        "project": meeting.project.code,
        "title": meeting.title,
        "kind": meeting.kind,
        "status": meeting.status,
        "starts_at": _iso(meeting.starts_at),
        "ends_at": _iso(meeting.ends_at),
        "duration_minutes": meeting.duration_minutes(),
        "location": meeting.location,
        "online_url": meeting.online_url,
        "organiser": _person(meeting.organiser) if meeting.organiser else None,
        "attendees": [_person(user) for user in meeting.attendees.all()],
        "optional_attendees": [_person(user) for user in meeting.optional_attendees.all()],
        "guests": [{"name": guest.name, "email": guest.email} for guest in guests],
        "agenda": meeting.agenda,
        "minutes": meeting.minutes,
        "cancellation_reason": meeting.cancellation_reason,
        "series": str(meeting.series) if meeting.series else None,
        "sequence": meeting.sequence,
    }


@click.command(
    cls=Command,
    help=gettext_noop(
        "List project meetings in local time, earliest first: when, project, kind, title, "
        "status, place and organiser, as a table or as JSON (date-times in ISO 8601 with their "
        "offset). By default only the meetings not over yet of the projects you may see; "
        "--all adds past ones, --mine keeps those you organise or are invited to (give the "
        "user with --as). Calendar files are made by `pilotage export PROJECT --format ics`."
    ),
)
@option(
    "--project",
    "project_code",
    metavar="CODE",
    default=None,
    help=gettext_noop("Only the meetings of this project (its code)."),
)
@option(
    "--upcoming/--all",
    "upcoming",
    default=True,
    show_default=True,
    help=gettext_noop("Only the meetings not over yet, or every meeting, past ones included."),
)
@option(
    "--mine",
    is_flag=True,
    default=False,
    help=gettext_noop(
        "Only the meetings the user given by --as organises or is invited to (also optionally)."
    ),
)
@option(
    "--format",
    "output",
    type=click.Choice(("table", "json")),
    default="table",
    show_default=True,
    help=gettext_noop("Output format."),
)
@pass_context
def meetings(
    context: Context, project_code: str | None, upcoming: bool, mine: bool, output: str
) -> None:
    actor = context.actor()
    from django.utils import timezone

    from pilotage.collaboration.selectors import meeting_list, meetings_of_user

    if mine and getattr(actor, "pk", None) is None:
        raise fail(gettext("--mine needs a user: name them with --as USERNAME."))
    project = project_filter(actor, project_code)
    since = timezone.now() if upcoming else None
    if mine:
        found = meetings_of_user(actor, since=since)
        if project is not None:
            found = found.filter(project=project)
    else:
        found = meeting_list(user=actor, project=project, since=since)
    rows = list(found)
    if output == "json":
        click.echo(
            json.dumps([_as_json(meeting) for meeting in rows], indent=2, ensure_ascii=False)
        )
        return
    if not rows:
        click.echo(gettext("No meetings."), err=True)
        return
    headers = [
        gettext("Starts"),
        gettext("Ends"),
        gettext("Project"),
        gettext("Kind"),
        gettext("Title"),
        gettext("Status"),
        gettext("Where"),
        gettext("Organiser"),
    ]
    table = []
    for meeting in rows:
        starts, ends = _when(meeting)
        table.append(
            [
                starts,
                ends,
                meeting.project.code,
                str(meeting.get_kind_display()),
                meeting.title,
                str(meeting.get_status_display()),
                meeting.location or (gettext("online") if meeting.online_url else ""),
                _person(meeting.organiser) if meeting.organiser else "",
            ]
        )
    click.echo(render_table(headers, table, shrink=4))
