"""Calendar, baseline and schedule health pages: who may open them, and what they show and do."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from pilotage.planning import services
from pilotage.planning.models import Baseline, CalendarException, Task, WorkCalendar
from pilotage.portfolio.models import Project
from tests.access import Access, AccessMixin
from tests.world import World

pytestmark = pytest.mark.django_db

EVERYONE = ("admin", "pmo", "portfolio_manager", "project_manager", "viewer", "outsider", "nobody")
SEES_PROJECT = ("admin", "pmo", "portfolio_manager", "project_manager", "viewer")
HIDDEN = ("outsider", "nobody")
CHANGES_PROJECT = ("admin", "pmo", "portfolio_manager", "project_manager")
ORGANISATION = ("admin", "pmo")
NOT_ORGANISATION = ("portfolio_manager", "project_manager", "viewer", "outsider")
DAY = 480
STANDARD_DAYS = {
    "monday": "08:00-12:00, 13:00-17:00",
    "tuesday": "08:00-12:00, 13:00-17:00",
    "wednesday": "08:00-12:00, 13:00-17:00",
    "thursday": "08:00-12:00, 13:00-17:00",
    "friday": "08:00-12:00, 13:00-17:00",
    "saturday": "",
    "sunday": "",
}


# The objects the pages show, made through the services the first time a test needs them.


def shared_calendar(world: World) -> WorkCalendar:
    found = WorkCalendar.objects.filter(name="Head office", project=None).first()
    return found or services.calendar_create(actor=world.admin, name="Head office")


def project_calendar(world: World) -> WorkCalendar:
    found = WorkCalendar.objects.filter(name="Site", project=world.project).first()
    return found or services.calendar_create(actor=world.admin, name="Site", project=world.project)


def project_exception(world: World) -> CalendarException:
    calendar = project_calendar(world)
    found = calendar.exceptions.first()
    return found or services.exception_create(
        actor=world.admin,
        calendar=calendar,
        name="Inventory",
        start=dt.date(2026, 7, 6),
        finish=dt.date(2026, 7, 7),
    )


def baseline(world: World) -> Baseline:
    found = Baseline.objects.filter(project=world.project).first()
    if found:
        return found
    services.task_create(
        actor=world.admin, project=world.project, name="Design", duration_minutes=DAY
    )
    return services.baseline_capture(actor=world.admin, project=world.project, name="Signed off")


def calendar_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Plant",
        "base": "",
        "holiday_country": "",
        "holiday_subdivision": "",
        "minutes_per_day": "480",
        **STANDARD_DAYS,
    }
    data.update(overrides)
    return data


def exception_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Closure",
        "start": "2026-08-10",
        "finish": "2026-08-14",
        "working_times": "",
        "recurrence": "",
        "every": "1",
    }
    data.update(overrides)
    return data


def url(name: str, target: Callable[[World], Any] | None = None, query: str = "") -> Any:
    def build(world: World) -> str:
        args = [target(world).pk] if target is not None else []
        return reverse(f"planning:{name}", args=args) + query

    return build


def project(world: World) -> Project:
    return world.project


ON_PROJECT = "?project={}"


def project_query(world: World) -> str:
    return ON_PROJECT.format(world.project.pk)


class TestCalendarPageAccess(AccessMixin):
    access = [
        Access("list", "get", url("calendar_list"), allowed=EVERYONE),
        Access(
            "list_of_project",
            "get",
            lambda w: reverse("planning:calendar_list") + project_query(w),
            allowed=SEES_PROJECT,
            hidden=HIDDEN,
        ),
        Access(
            "create_shared",
            "get",
            url("calendar_create"),
            allowed=ORGANISATION,
            forbidden=(*NOT_ORGANISATION, "nobody"),
        ),
        Access(
            "create_shared_post",
            "post",
            url("calendar_create"),
            data=lambda w: calendar_data(),
            allowed=ORGANISATION,
            forbidden=(*NOT_ORGANISATION, "nobody"),
            ok=(302,),
        ),
        Access(
            "create_for_project",
            "get",
            lambda w: reverse("planning:calendar_create") + project_query(w),
            allowed=CHANGES_PROJECT,
            forbidden=("viewer",),
            hidden=HIDDEN,
        ),
        Access(
            "create_for_project_post",
            "post",
            lambda w: reverse("planning:calendar_create") + project_query(w),
            data=lambda w: calendar_data(),
            allowed=CHANGES_PROJECT,
            forbidden=("viewer",),
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "shared_detail",
            "get",
            url("calendar_detail", shared_calendar),
            allowed=(*SEES_PROJECT, "outsider"),
            hidden=("nobody",),
        ),
        Access(
            "project_detail",
            "get",
            url("calendar_detail", project_calendar),
            allowed=SEES_PROJECT,
            hidden=HIDDEN,
        ),
        Access(
            "shared_history",
            "get",
            url("calendar_history", shared_calendar),
            allowed=(*SEES_PROJECT, "outsider"),
            hidden=("nobody",),
        ),
        Access(
            "project_history",
            "get",
            url("calendar_history", project_calendar),
            allowed=SEES_PROJECT,
            hidden=HIDDEN,
        ),
        Access(
            "shared_edit",
            "get",
            url("calendar_update", shared_calendar),
            allowed=ORGANISATION,
            forbidden=NOT_ORGANISATION,
            hidden=("nobody",),
        ),
        Access(
            "shared_edit_post",
            "post",
            url("calendar_update", shared_calendar),
            data=lambda w: calendar_data(name="Head office (new)"),
            allowed=ORGANISATION,
            forbidden=NOT_ORGANISATION,
            hidden=("nobody",),
            ok=(302,),
        ),
        Access(
            "project_edit",
            "get",
            url("calendar_update", project_calendar),
            allowed=CHANGES_PROJECT,
            forbidden=("viewer",),
            hidden=HIDDEN,
        ),
        Access(
            "project_edit_post",
            "post",
            url("calendar_update", project_calendar),
            data=lambda w: calendar_data(name="Site (new)"),
            allowed=CHANGES_PROJECT,
            forbidden=("viewer",),
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "shared_delete",
            "get",
            url("calendar_delete", shared_calendar),
            allowed=ORGANISATION,
            forbidden=NOT_ORGANISATION,
            hidden=("nobody",),
        ),
        Access(
            "shared_delete_post",
            "post",
            url("calendar_delete", shared_calendar),
            allowed=ORGANISATION,
            forbidden=NOT_ORGANISATION,
            hidden=("nobody",),
            ok=(302,),
        ),
        Access(
            "project_delete_post",
            "post",
            url("calendar_delete", project_calendar),
            allowed=CHANGES_PROJECT,
            forbidden=("viewer",),
            hidden=HIDDEN,
            ok=(302,),
        ),
    ]


class TestExceptionPageAccess(AccessMixin):
    access = [
        Access(
            "add_to_project_calendar",
            "post",
            url("exception_create", project_calendar),
            data=lambda w: exception_data(),
            allowed=CHANGES_PROJECT,
            forbidden=("viewer",),
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "add_to_shared_calendar",
            "post",
            url("exception_create", shared_calendar),
            data=lambda w: exception_data(),
            allowed=ORGANISATION,
            forbidden=NOT_ORGANISATION,
            hidden=("nobody",),
            ok=(302,),
        ),
        Access(
            "edit",
            "get",
            url("exception_update", project_exception),
            allowed=CHANGES_PROJECT,
            forbidden=("viewer",),
            hidden=HIDDEN,
        ),
        Access(
            "edit_post",
            "post",
            url("exception_update", project_exception),
            data=lambda w: exception_data(name="Stock-taking"),
            allowed=CHANGES_PROJECT,
            forbidden=("viewer",),
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "delete",
            "get",
            url("exception_delete", project_exception),
            allowed=CHANGES_PROJECT,
            forbidden=("viewer",),
            hidden=HIDDEN,
        ),
        Access(
            "delete_post",
            "post",
            url("exception_delete", project_exception),
            allowed=CHANGES_PROJECT,
            forbidden=("viewer",),
            hidden=HIDDEN,
            ok=(302,),
        ),
    ]


class TestBaselineAndHealthPageAccess(AccessMixin):
    access = [
        Access(
            "list",
            "get",
            url("baseline_list", project),
            allowed=SEES_PROJECT,
            hidden=HIDDEN,
        ),
        Access(
            "capture",
            "post",
            url("baseline_list", project),
            data=lambda w: {"name": "Re-plan", "description": "", "is_primary": "on"},
            allowed=CHANGES_PROJECT,
            forbidden=("viewer",),
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "detail",
            "get",
            url("baseline_detail", baseline),
            allowed=SEES_PROJECT,
            hidden=HIDDEN,
        ),
        Access(
            "edit",
            "get",
            url("baseline_update", baseline),
            allowed=CHANGES_PROJECT,
            forbidden=("viewer",),
            hidden=HIDDEN,
        ),
        Access(
            "edit_post",
            "post",
            url("baseline_update", baseline),
            data=lambda w: {"name": "Signed off in March", "description": "", "is_primary": "on"},
            allowed=CHANGES_PROJECT,
            forbidden=("viewer",),
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "delete",
            "get",
            url("baseline_delete", baseline),
            allowed=CHANGES_PROJECT,
            forbidden=("viewer",),
            hidden=HIDDEN,
        ),
        Access(
            "delete_post",
            "post",
            url("baseline_delete", baseline),
            allowed=CHANGES_PROJECT,
            forbidden=("viewer",),
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "health",
            "get",
            url("health", project),
            allowed=SEES_PROJECT,
            hidden=HIDDEN,
        ),
    ]


# What the pages do ----------------------------------------------------------------------------


def add(world: World, name: str, days: float = 1, **values: object) -> Task:
    return services.task_create(
        actor=world.pmo,
        project=world.project,
        name=name,
        duration_minutes=int(days * DAY),
        **values,
    )


def test_a_calendar_with_public_holidays_made_through_the_form_moves_the_finish(
    client: Client, world: World
) -> None:
    # Monday 27 April 2026; five working days end on Friday 1 May, a public holiday in France.
    services.plan_update(actor=world.pmo, project=world.project, start=dt.datetime(2026, 4, 27, 8))
    task = add(world, "Build", 5)
    assert task.finish == dt.datetime(2026, 5, 1, 17)
    client.force_login(world.project_manager)
    response = client.post(
        reverse("planning:calendar_create") + project_query(world),
        calendar_data(name="France", holiday_country="fr"),
    )
    calendar = WorkCalendar.objects.get(name="France")
    assert response["Location"] == calendar.get_absolute_url()
    assert (calendar.project, calendar.holiday_country) == (world.project, "FR")
    services.plan_update(actor=world.pmo, project=world.project, calendar=calendar)
    task.refresh_from_db()
    assert task.finish == dt.datetime(2026, 5, 4, 17)


def test_an_exception_added_on_the_calendar_page_moves_the_tasks_using_it(
    client: Client, world: World
) -> None:
    calendar = project_calendar(world)
    services.plan_update(
        actor=world.pmo, project=world.project, start=dt.datetime(2026, 3, 2, 8), calendar=calendar
    )
    task = add(world, "Build", 5)
    assert task.finish == dt.datetime(2026, 3, 6, 17)
    client.force_login(world.project_manager)
    response = client.post(
        reverse("planning:exception_create", args=[calendar.pk]),
        exception_data(name="Works council", start="2026-03-04", finish=""),
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.finish == dt.datetime(2026, 3, 9, 17)
    page = client.get(calendar.get_absolute_url()).content.decode()
    assert "Works council" in page
    assert "Non-working" in page


def test_a_malformed_working_time_is_named_on_the_form(client: Client, world: World) -> None:
    client.force_login(world.pmo)
    response = client.post(
        reverse("planning:calendar_create"), calendar_data(tuesday="8-12h, 13:00-17:00")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["tuesday"]
    assert "8-12h" in errors["tuesday"][0]
    assert "8-12h" in response.content.decode()
    assert not WorkCalendar.objects.filter(name="Plant").exists()


def test_the_calendar_page_shows_the_week_exceptions_and_holidays(
    client: Client, world: World
) -> None:
    calendar = services.calendar_create(
        actor=world.pmo,
        name="Paris",
        holiday_country="FR",
        week=[[[540, 780]], [[540, 780]], [[540, 780]], [[540, 780]], [], [], []],
    )
    services.exception_create(
        actor=world.pmo,
        calendar=calendar,
        name="Team day",
        start=dt.date(2026, 1, 2),
        finish=dt.date(2027, 12, 31),
        recurrence="monthly_weekday",
        position=-1,
        weekday=4,
        working_times="09:00-12:00",
    )
    client.force_login(world.viewer)
    response = client.get(calendar.get_absolute_url())
    week = response.context["week"]
    assert [(day.periods, day.hours) for day in week][3:6] == [
        ("09:00-13:00", "4"),
        ("", "0"),
        ("", "0"),
    ]
    assert response.context["weekly_hours"] == "16"
    page = response.content.decode()
    assert "Every month on the last Friday" in page
    labour_day = [row for row in response.context["public_holidays"] if row.day.month == 5]
    assert [row.day.day for row in labour_day][:1] == [1]
    assert all(not row.worked for row in labour_day)


def test_the_calendar_list_shows_hours_exceptions_and_holidays(
    client: Client, world: World
) -> None:
    shared = services.calendar_create(actor=world.pmo, name="Standard FR", holiday_country="FR")
    services.exception_create(
        actor=world.pmo, calendar=shared, start=dt.date(2026, 8, 10), finish=dt.date(2026, 8, 14)
    )
    services.calendar_create(
        actor=world.pmo, name="Night shift", project=world.project, base=shared
    )
    client.force_login(world.viewer)
    rows = {row.calendar.name: row for row in client.get("/calendars/").context["rows"]}
    assert rows["Standard FR"].calendar.exception_count == 1
    assert rows["Standard FR"].weekly_hours == "40"
    assert rows["Night shift"].holidays_of == "FR"
    assert rows["Night shift"].calendar.project == world.project
    client.force_login(world.outsider)
    assert [row.calendar.name for row in client.get("/calendars/").context["rows"]] == [
        "Standard FR"
    ]


def test_editing_a_calendar_keeps_its_week_and_can_take_the_base_week(
    client: Client, world: World
) -> None:
    base = services.calendar_create(actor=world.pmo, name="Base")
    calendar = services.calendar_create(
        actor=world.pmo,
        name="Short weeks",
        week=[[[480, 720]]] * 4 + [[], [], []],
    )
    client.force_login(world.pmo)
    form = client.get(reverse("planning:calendar_update", args=[calendar.pk])).context["form"]
    assert form.initial["thursday"] == "08:00-12:00"
    assert form.initial["friday"] == ""
    response = client.post(
        reverse("planning:calendar_update", args=[calendar.pk]),
        calendar_data(name="Short weeks", base=base.pk, use_base_week="on"),
    )
    assert response.status_code == 302
    calendar.refresh_from_db()
    assert (calendar.base, calendar.week) == (base, None)
    history = client.get(reverse("planning:calendar_history", args=[calendar.pk]))
    assert "Thursday 08:00-12:00" in history.content.decode()


def test_a_calendar_in_use_is_not_deleted(client: Client, world: World) -> None:
    calendar = project_calendar(world)
    services.plan_update(actor=world.pmo, project=world.project, calendar=calendar)
    client.force_login(world.project_manager)
    response = client.post(reverse("planning:calendar_delete", args=[calendar.pk]))
    assert response.status_code == 200
    assert "cannot be deleted" in response.context["error"]
    assert WorkCalendar.objects.filter(pk=calendar.pk).exists()


def test_a_weekly_exception_round_trips_through_its_form(client: Client, world: World) -> None:
    calendar = project_calendar(world)
    client.force_login(world.project_manager)
    create = reverse("planning:exception_create", args=[calendar.pk])
    missing = client.post(create, exception_data(recurrence="weekly", finish="2026-12-31"))
    assert list(missing.context["form"].errors) == ["weekdays"]
    response = client.post(
        create,
        exception_data(
            name="Wednesday afternoons",
            start="2026-09-02",
            finish="2026-12-31",
            working_times="8:00-12:00",
            recurrence="weekly",
            weekdays=["2"],
        ),
    )
    assert response.status_code == 302
    exception = calendar.exceptions.get()
    assert (exception.weekdays, exception.working_times) == ([2], "08:00-12:00")
    edit = reverse("planning:exception_update", args=[exception.pk])
    form = client.get(edit).context["form"]
    assert form.initial["weekdays"] == ["2"]
    assert form.repeats
    page = client.get(calendar.get_absolute_url()).content.decode()
    assert "Every week on Wednesday" in page


def test_baseline_captured_on_the_page_shows_the_slip_after_a_change(
    client: Client, world: World
) -> None:
    services.plan_update(actor=world.pmo, project=world.project, start=dt.datetime(2026, 3, 2, 8))
    design = add(world, "Design", 2)
    build = add(world, "Build", 3, predecessors="1")
    client.force_login(world.project_manager)
    response = client.post(
        reverse("planning:baseline_list", args=[world.project.pk]),
        {"name": "Approved", "description": "As signed off", "is_primary": "on"},
    )
    assert response.status_code == 302
    approved = Baseline.objects.get(project=world.project, name="Approved")
    assert approved.is_primary
    services.task_update(actor=world.pmo, task=design, duration_minutes=4 * DAY)
    services.task_delete(actor=world.pmo, task=build)
    add(world, "Test", 1, predecessors="1")
    response = client.get(approved.get_absolute_url())
    rows = {row.name: row for row in response.context["comparison"].rows}
    assert rows["Design"].start_variance == 0
    assert rows["Design"].finish_variance == 2
    assert rows["Build"].deleted
    assert rows["Build"].compared is None
    assert rows["Test"].baseline is None
    page = response.content.decode()
    assert '<span class="badge rag-red">+2</span>' in page
    assert "Deleted" in page


def test_two_baselines_can_be_compared(client: Client, world: World) -> None:
    services.plan_update(actor=world.pmo, project=world.project, start=dt.datetime(2026, 3, 2, 8))
    design = add(world, "Design", 2)
    first = services.baseline_capture(actor=world.pmo, project=world.project, name="First")
    services.task_update(actor=world.pmo, task=design, duration_minutes=DAY)
    second = services.baseline_capture(actor=world.pmo, project=world.project, name="Second")
    services.task_update(actor=world.pmo, task=design, duration_minutes=5 * DAY)
    client.force_login(world.viewer)
    response = client.get(first.get_absolute_url(), {"against": second.pk})
    comparison = response.context["comparison"]
    assert (comparison.reference_label, comparison.compared_label) == ("First", "Second")
    assert [row.finish_variance for row in comparison.rows] == [-1]


def test_baseline_comparison_reads_a_fixed_number_of_queries(
    client: Client, world: World, count_queries: Callable[[Callable[[], Any]], int]
) -> None:
    services.plan_update(actor=world.pmo, project=world.project, start=dt.datetime(2026, 3, 2, 8))
    for number in range(10):
        add(world, f"Task {number}", 1, predecessors=str(number) if number else None)
    small = services.baseline_capture(actor=world.pmo, project=world.project, name="Ten")
    client.force_login(world.viewer)
    page = small.get_absolute_url()
    ten = count_queries(lambda: client.get(page))
    for number in range(10, 50):
        add(world, f"Task {number}", 1, predecessors=str(number))
    large = services.baseline_capture(actor=world.pmo, project=world.project, name="Fifty")
    Task.objects.filter(project=world.project, position=3).delete()
    page = large.get_absolute_url()
    response = client.get(page)
    assert len(response.context["comparison"].rows) == 50
    assert count_queries(lambda: client.get(page)) == ten


def test_calendar_and_baseline_lists_read_a_fixed_number_of_queries(
    client: Client, world: World, count_queries: Callable[[Callable[[], Any]], int]
) -> None:
    client.force_login(world.viewer)
    lists = [
        reverse("planning:calendar_list"),
        reverse("planning:baseline_list", args=[world.project.pk]),
    ]

    def grow(start: int, stop: int) -> None:
        for number in range(start, stop):
            base = services.calendar_create(actor=world.pmo, name=f"Shared {number}")
            services.exception_create(
                actor=world.pmo,
                calendar=base,
                start=dt.date(2026, 8, 10),
                finish=dt.date(2026, 8, 14),
            )
            services.calendar_create(
                actor=world.pmo, name=f"Derived {number}", project=world.project, base=base
            )
            services.baseline_capture(
                actor=world.pmo, project=world.project, name=f"Baseline {number}"
            )

    grow(0, 2)
    few = [count_queries(lambda page=page: client.get(page)) for page in lists]
    grow(2, 12)
    assert [count_queries(lambda page=page: client.get(page)) for page in lists] == few


def test_health_lists_the_fourteen_checks_and_a_task_without_links(
    client: Client, world: World
) -> None:
    services.plan_update(actor=world.pmo, project=world.project, start=dt.datetime(2026, 3, 2, 8))
    add(world, "Start", 0)
    add(world, "Design", 2, predecessors="1")
    add(world, "Build", 3, predecessors="2")
    loose = add(world, "Write the manual", 2)
    add(world, "Launched", 0, predecessors="3")
    client.force_login(world.viewer)
    response = client.get(reverse("planning:health", args=[world.project.pk]))
    checks = response.context["checks"]
    assert [row.check.number for row in checks] == list(range(1, 15))
    logic = checks[0].check
    assert logic.status == "failed"
    assert [(task.id, task.position, task.name) for task in logic.offending] == [
        (loose.pk, 4, "Write the manual")
    ]
    page = response.content.decode()
    assert reverse("planning:task_detail", args=[loose.pk]) in page
    resources = checks[9].check
    assert resources.status == "not_assessed"
    assert resources.reason
    assert page.count('class="badge rag rag-') >= 14
    assert response.context["score"] is not None


def test_health_without_tasks_says_so(client: Client, world: World) -> None:
    client.force_login(world.viewer)
    response = client.get(reverse("planning:health", args=[world.project.pk]))
    assert response.context["assessment"] is None
    assert "no tasks yet" in response.content.decode()


def _french_pages(world: World) -> list[str]:
    calendar = services.calendar_create(
        actor=world.pmo, name="Paris", project=world.project, holiday_country="FR"
    )
    exception = services.exception_create(
        actor=world.pmo, calendar=calendar, start=dt.date(2026, 8, 10), finish=dt.date(2026, 8, 14)
    )
    task = add(world, "Design", 2)
    first = services.baseline_capture(actor=world.pmo, project=world.project, name="First")
    services.task_update(actor=world.pmo, task=task, duration_minutes=3 * DAY)
    second = services.baseline_capture(actor=world.pmo, project=world.project, name="Second")
    project_pk = world.project.pk
    return [
        reverse("planning:calendar_list"),
        reverse("planning:calendar_list") + project_query(world),
        reverse("planning:calendar_create") + project_query(world),
        reverse("planning:calendar_detail", args=[calendar.pk]),
        reverse("planning:calendar_update", args=[calendar.pk]),
        reverse("planning:calendar_history", args=[calendar.pk]),
        reverse("planning:calendar_delete", args=[calendar.pk]),
        reverse("planning:exception_create", args=[calendar.pk]),
        reverse("planning:exception_update", args=[exception.pk]),
        reverse("planning:exception_delete", args=[exception.pk]),
        reverse("planning:baseline_list", args=[project_pk]),
        reverse("planning:baseline_detail", args=[first.pk]),
        reverse("planning:baseline_detail", args=[first.pk]) + f"?against={second.pk}",
        reverse("planning:baseline_update", args=[first.pk]),
        reverse("planning:baseline_delete", args=[first.pk]),
        reverse("planning:health", args=[project_pk]),
    ]


def test_every_page_renders_in_french(client: Client, world: World) -> None:
    pages = _french_pages(world)
    world.pmo.language = "fr"
    world.pmo.save()
    client.force_login(world.pmo)
    with translation.override("fr"):
        for page in pages:
            response = client.get(page)
            assert response.status_code == 200, page
            assert '<html lang="fr">' in response.content.decode(), page
        detail = client.get(pages[3]).content.decode()
    assert "lundi" in detail.lower()
    assert "Fête du Travail" in detail
    with translation.override("en"):
        world.pmo.language = "en"
        world.pmo.save()
        english = client.get(pages[3]).content.decode()
    assert "Labor Day" in english or "Labour Day" in english


def test_french_numbers_in_the_comparison(client: Client, world: World) -> None:
    services.plan_update(actor=world.pmo, project=world.project, start=dt.datetime(2026, 3, 2, 8))
    task = add(world, "Design", 1)
    captured = services.baseline_capture(actor=world.pmo, project=world.project, name="B")
    services.task_update(actor=world.pmo, task=task, duration_minutes=DAY + 240)
    world.viewer.language = "fr"
    world.viewer.save()
    client.force_login(world.viewer)
    page = client.get(captured.get_absolute_url()).content.decode()
    assert "+0,8" in page
