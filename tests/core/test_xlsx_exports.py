"""Excel exports of the list pages: who may download them, and that each workbook holds the
rows its page lists for that user (all pages of them), under translated, typed columns."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl.worksheet.worksheet import Worksheet

from pilotage.accounts import selectors as account_selectors
from pilotage.accounts import services as account_services
from pilotage.core.exports import XLSX_TYPE
from pilotage.planning import selectors as planning_selectors
from pilotage.planning import services as planning_services
from pilotage.planning.models import Baseline, WorkCalendar
from pilotage.portfolio import selectors as portfolio_selectors
from pilotage.portfolio.models import Currency
from tests.access import Access, AccessMixin
from tests.factories import (
    ObjectiveFactory,
    PortfolioFactory,
    ProgrammeFactory,
    ProjectFactory,
    UserFactory,
)
from tests.planning.helpers import DAY, plan_with_tasks
from tests.world import World

pytestmark = pytest.mark.django_db

EVERYONE = ("admin", "pmo", "portfolio_manager", "project_manager", "viewer", "outsider", "nobody")
SEES_PROJECT = ("admin", "pmo", "portfolio_manager", "project_manager", "viewer")
NOT_ADMINS = ("pmo", "portfolio_manager", "project_manager", "viewer", "outsider", "nobody")
XLSX = "?format=xlsx"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _export(url: Callable[[World], str]) -> Callable[[World], str]:
    return lambda world: url(world) + XLSX


def _baselines_url(world: World) -> str:
    return reverse("planning:baseline_list", args=[world.project.pk])


def _project_calendars_url(world: World) -> str:
    return reverse("planning:calendar_list") + f"?project={world.project.pk}&format=xlsx"


class TestExportAccess(AccessMixin):
    """Each export is open to exactly those who may open its page."""

    access = [
        Access(
            "programmes", "get", _export(lambda w: reverse("portfolio:programme_list")), EVERYONE
        ),
        Access(
            "portfolios", "get", _export(lambda w: reverse("portfolio:portfolio_list")), EVERYONE
        ),
        Access(
            "objectives", "get", _export(lambda w: reverse("portfolio:objective_list")), EVERYONE
        ),
        Access("calendars", "get", _export(lambda w: reverse("planning:calendar_list")), EVERYONE),
        Access(
            "project_calendars",
            "get",
            _project_calendars_url,
            allowed=SEES_PROJECT,
            hidden=("outsider", "nobody"),
        ),
        Access(
            "baselines",
            "get",
            _export(_baselines_url),
            allowed=SEES_PROJECT,
            hidden=("outsider", "nobody"),
        ),
        Access(
            "users",
            "get",
            _export(lambda w: reverse("accounts:user_list")),
            allowed=("admin",),
            forbidden=NOT_ADMINS,
        ),
        Access("tokens", "get", _export(lambda w: reverse("accounts:token_list")), EVERYONE),
    ]


# Reading a download -------------------------------------------------------------------------


def _download(client: Client, url: str, **headers: Any) -> dict[str, Worksheet]:
    """The sheets of a workbook download, after checking it is one with a dated file name."""
    response = client.get(url, **headers)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == XLSX_TYPE
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="')
    assert disposition.endswith(f'-{timezone.localdate():%Y-%m-%d}.xlsx"')
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    return {sheet.title: sheet for sheet in workbook.worksheets}


def _file_name(client: Client, url: str) -> str:
    disposition = client.get(url)["Content-Disposition"]
    return str(disposition.split('filename="', 1)[1].rstrip('"'))


def _only(sheets: dict[str, Worksheet]) -> Worksheet:
    assert len(sheets) == 1, list(sheets)
    return next(iter(sheets.values()))


def _header(sheet: Worksheet) -> list[Any]:
    return [cell.value for cell in sheet[1]]


def _rows(sheet: Worksheet) -> list[dict[str, Any]]:
    """The data rows, each as header -> value."""
    header = _header(sheet)
    return [
        dict(zip(header, values, strict=True))
        for values in sheet.iter_rows(min_row=2, values_only=True)
    ]


def _column(sheet: Worksheet, title: str) -> list[Any]:
    return [row[title] for row in _rows(sheet)]


def _cell(sheet: Worksheet, title: str, row: int = 2) -> Any:
    return sheet.cell(row=row, column=_header(sheet).index(title) + 1)


def _export_link(client: Client, url: str) -> str:
    """The page's own Excel export link, checked to be on the page."""
    page = client.get(url).content.decode()
    assert f'href="{XLSX}"' in page
    return url + XLSX


# Programmes, portfolios, objectives ---------------------------------------------------------


def test_programme_export_lists_what_the_viewer_sees_with_budgets_by_currency(
    client: Client, world: World
) -> None:
    other = ProgrammeFactory(portfolio=world.other_portfolio, code="LOG", name="Logistics")
    world.project.budget = Decimal("1000.50")
    world.project.save()
    ProjectFactory(
        portfolio=world.portfolio,
        programme=world.programme,
        code="CRM2",
        budget=Decimal("250"),
        currency=Currency.EUR,
    )
    ProjectFactory(
        portfolio=world.portfolio,
        programme=world.programme,
        code="CRMUS",
        budget=Decimal("300"),
        currency=Currency.USD,
    )
    client.force_login(world.viewer)
    url = _export_link(client, reverse("portfolio:programme_list"))

    sheet = _only(_download(client, url))

    assert _header(sheet) == [
        "Code",
        "Name",
        "Portfolio",
        "Programme manager",
        "Sponsor",
        "Projects",
        "Budget (EUR)",
        "Budget (USD)",
    ]
    listed = portfolio_selectors.programme_list(user=world.viewer)
    assert _column(sheet, "Code") == [programme.code for programme in listed] == ["DIGI"]
    (row,) = _rows(sheet)
    assert row["Portfolio"] == "Corporate change"
    assert row["Projects"] == 3
    assert row["Budget (EUR)"] == pytest.approx(1250.50)
    assert row["Budget (USD)"] == 300
    assert _cell(sheet, "Budget (EUR)").number_format == "#,##0.00"
    assert _cell(sheet, "Projects").number_format == "#,##0"

    client.force_login(world.outsider)
    assert _column(_only(_download(client, url)), "Code") == [other.code]


def test_programme_export_keeps_the_search_and_every_page(client: Client, world: World) -> None:
    for number in range(30):
        ProgrammeFactory(portfolio=world.portfolio, code=f"BULK{number:02d}")
    client.force_login(world.pmo)

    everything = _only(_download(client, reverse("portfolio:programme_list") + XLSX))
    searched = _only(
        _download(client, reverse("portfolio:programme_list") + "?q=bulk&format=xlsx&page=2")
    )

    expected = portfolio_selectors.programme_list(user=world.pmo)
    assert _column(everything, "Code") == [programme.code for programme in expected]
    assert len(expected) == 31
    assert sorted(_column(searched, "Code")) == [f"BULK{number:02d}" for number in range(30)]


def test_portfolio_export_lists_the_visible_portfolios_with_their_counts(
    client: Client, world: World
) -> None:
    world.portfolio.owner = world.portfolio_manager
    world.portfolio.save()
    client.force_login(world.viewer)
    url = _export_link(client, reverse("portfolio:portfolio_list"))

    sheet = _only(_download(client, url))

    assert _header(sheet) == [
        "Code",
        "Name",
        "Owner",
        "Reporting currency",
        "Programmes",
        "Projects",
    ]
    assert _rows(sheet) == [
        {
            "Code": "CORP",
            "Name": "Corporate change",
            "Owner": str(world.portfolio_manager),
            "Reporting currency": world.portfolio.currency,
            "Programmes": 1,
            "Projects": 2,
        }
    ]
    client.force_login(world.pmo)
    everything = _only(_download(client, url + "&q=o"))
    expected = portfolio_selectors.portfolio_list(user=world.pmo, search="o")
    assert _column(everything, "Code") == [portfolio.code for portfolio in expected]
    assert set(_column(everything, "Code")) == {"CORP", "OPS"}


def test_objective_export_shows_scope_weight_and_state(client: Client, world: World) -> None:
    ObjectiveFactory(code="SAFE", name="Safer sites", portfolio=world.other_portfolio)
    ObjectiveFactory(code="OLD", name="Old goal", is_active=False, weight=5)
    world.project.objectives.add(world.objective)
    client.force_login(world.viewer)
    url = _export_link(client, reverse("portfolio:objective_list"))

    sheet = _only(_download(client, url))

    assert _header(sheet) == ["Code", "Name", "Portfolio", "Weight", "Active", "Projects"]
    listed = portfolio_selectors.objective_list(user=world.viewer)
    assert _column(sheet, "Code") == [objective.code for objective in listed]
    assert "SAFE" not in _column(sheet, "Code")
    rows = {row["Code"]: row for row in _rows(sheet)}
    assert rows["GROW"]["Portfolio"] == "Whole company"
    assert rows["GROW"]["Projects"] == 1
    assert rows["CUST"]["Portfolio"] == "Corporate change"
    assert rows["OLD"]["Weight"] == 5
    assert (rows["OLD"]["Active"], rows["GROW"]["Active"]) == ("No", "Yes")


def test_export_headers_follow_the_language_of_the_request(client: Client, world: World) -> None:
    client.force_login(world.viewer)

    sheet = _only(
        _download(client, reverse("portfolio:portfolio_list") + XLSX, HTTP_ACCEPT_LANGUAGE="fr")
    )

    with translation.override("fr"):
        expected = [gettext("Code"), gettext("Name"), gettext("Owner")]
    assert _header(sheet)[:3] == expected
    assert expected != ["Code", "Name", "Owner"]


# Calendars ----------------------------------------------------------------------------------


def _calendars(world: World) -> tuple[WorkCalendar, WorkCalendar]:
    shared = planning_services.calendar_create(
        actor=world.pmo, name="Head office", holiday_country="FR"
    )
    site = planning_services.calendar_create(
        actor=world.admin, name="Site", project=world.project, base=shared
    )
    planning_services.exception_create(
        actor=world.admin,
        calendar=site,
        name="Inventory",
        start=dt.date(2026, 7, 6),
        finish=dt.date(2026, 7, 7),
    )
    planning_services.calendar_create(actor=world.admin, name="Depot", project=world.other_project)
    return shared, site


def test_calendar_export_lists_the_calendars_the_user_may_see(client: Client, world: World) -> None:
    _calendars(world)
    client.force_login(world.viewer)
    url = _export_link(client, reverse("planning:calendar_list"))

    sheet = _only(_download(client, url))

    assert _header(sheet) == [
        "Name",
        "Project",
        "Base calendar",
        "Public holidays",
        "Exceptions",
        "Hours a week",
    ]
    listed = planning_selectors.calendar_list(user=world.viewer)
    assert _column(sheet, "Name") == [calendar.name for calendar in listed]
    assert "Depot" not in _column(sheet, "Name")
    rows = {row["Name"]: row for row in _rows(sheet)}
    assert rows["Head office"]["Project"] == "Shared"
    assert rows["Site"]["Project"] == "CRM New CRM"
    assert rows["Site"]["Base calendar"] == "Head office"
    assert rows["Site"]["Public holidays"] == "FR"
    assert (rows["Site"]["Exceptions"], rows["Head office"]["Exceptions"]) == (1, 0)
    assert rows["Site"]["Hours a week"] == 40

    client.force_login(world.outsider)
    outsider = _only(_download(client, url))
    assert _column(outsider, "Name") == [
        calendar.name for calendar in planning_selectors.calendar_list(user=world.outsider)
    ]
    assert "Site" not in _column(outsider, "Name")


def test_calendar_export_of_a_project_keeps_the_project_filter(
    client: Client, world: World
) -> None:
    _calendars(world)
    client.force_login(world.pmo)
    page = reverse("planning:calendar_list") + f"?project={world.project.pk}"
    assert "format=xlsx" in client.get(page).content.decode()

    sheet = _only(_download(client, page + "&format=xlsx"))

    assert sorted(_column(sheet, "Name")) == ["Head office", "Site"]


# Baselines ----------------------------------------------------------------------------------


def _baselines(world: World) -> tuple[Baseline, Baseline]:
    plan_with_tasks(world)
    first = planning_services.baseline_capture(
        actor=world.project_manager, project=world.project, name="Signed off"
    )
    second = planning_services.baseline_capture(
        actor=world.pmo, project=world.project, name="Re-plan", is_primary=False
    )
    ProjectFactory(portfolio=world.portfolio, code="NOISE")
    return first, second


def test_baseline_export_has_the_baselines_and_the_primary_ones_tasks(
    client: Client, world: World
) -> None:
    primary, other = _baselines(world)
    client.force_login(world.viewer)
    url = _export_link(client, _baselines_url(world))

    sheets = _download(client, url)

    assert list(sheets) == ["Baselines", "Primary baseline tasks"]
    baselines = sheets["Baselines"]
    assert _header(baselines) == [
        "Name",
        "Primary",
        "Description",
        "Captured",
        "Captured by",
        "Start",
        "Finish",
        "Tasks",
    ]
    listed = planning_selectors.baseline_list(user=world.viewer, project=world.project)
    assert set(_column(baselines, "Name")) == {baseline.name for baseline in listed}
    assert _column(baselines, "Name") == ["Re-plan", "Signed off"]
    rows = {row["Name"]: row for row in _rows(baselines)}
    assert (rows["Signed off"]["Primary"], rows["Re-plan"]["Primary"]) == ("Yes", "No")
    assert rows["Signed off"]["Captured by"] == str(world.project_manager)
    assert rows["Signed off"]["Tasks"] == 3
    assert primary.start is not None
    assert primary.finish is not None
    assert rows["Signed off"]["Start"] == dt.datetime.combine(primary.start.date(), dt.time())
    assert rows["Signed off"]["Finish"] == dt.datetime.combine(primary.finish.date(), dt.time())
    captured = timezone.localtime(primary.captured_at).replace(tzinfo=None)
    assert abs(rows["Signed off"]["Captured"] - captured) < dt.timedelta(seconds=1)
    assert _cell(baselines, "Captured").number_format == "yyyy-mm-dd hh:mm"
    assert _cell(baselines, "Start").number_format == "yyyy-mm-dd"

    tasks = sheets["Primary baseline tasks"]
    assert _header(tasks) == [
        "ID",
        "Name",
        "Baseline start",
        "Baseline finish",
        "Duration (days)",
        "Work (hours)",
        f"Cost ({world.project.currency})",
    ]
    expected = list(planning_selectors.baseline_rows(user=world.viewer, baseline=primary))
    assert [row["ID"] for row in _rows(tasks)] == [row.position for row in expected]
    assert [row["Name"] for row in _rows(tasks)] == ["Task 1", "Task 2", "Task 3"]
    assert [row["Baseline start"] for row in _rows(tasks)] == [row.start for row in expected]
    assert [row["Baseline finish"] for row in _rows(tasks)] == [row.finish for row in expected]
    assert [row["Duration (days)"] for row in _rows(tasks)] == [1, 1, 1]
    assert _cell(tasks, "Baseline start").number_format == "yyyy-mm-dd hh:mm"
    assert other.name not in [row["Name"] for row in _rows(tasks)]


def test_baseline_export_gives_no_duration_to_a_summary_task(client: Client, world: World) -> None:
    planning_services.task_create(actor=world.pmo, project=world.project, name="Phase")
    work = planning_services.task_create(
        actor=world.pmo, project=world.project, name="Work", duration_minutes=3 * DAY
    )
    planning_services.task_indent(actor=world.pmo, task=work)
    planning_services.baseline_capture(actor=world.pmo, project=world.project, name="Plan")
    client.force_login(world.viewer)

    tasks = _download(client, _baselines_url(world) + XLSX)["Primary baseline tasks"]

    durations = {row["Name"]: row["Duration (days)"] for row in _rows(tasks)}
    assert durations == {"Phase": None, "Work": 3}


def test_baseline_export_without_a_primary_baseline_has_one_sheet(
    client: Client, world: World
) -> None:
    primary, _other = _baselines(world)
    planning_services.baseline_update(actor=world.pmo, baseline=primary, is_primary=False)
    client.force_login(world.viewer)

    sheets = _download(client, _baselines_url(world) + XLSX)

    assert list(sheets) == ["Baselines"]
    assert sorted(_column(sheets["Baselines"], "Primary")) == ["No", "No"]


def test_baseline_export_is_named_after_the_project(client: Client, world: World) -> None:
    _baselines(world)
    client.force_login(world.viewer)

    name = _file_name(client, _baselines_url(world) + XLSX)

    assert name == f"baselines-CRM-{timezone.localdate():%Y-%m-%d}.xlsx"


# Users and API tokens -----------------------------------------------------------------------


def test_user_export_lists_every_user_matching_the_filters(client: Client, world: World) -> None:
    world.outsider.is_active = False
    world.outsider.save()
    world.admin.last_login = timezone.now()
    world.admin.save()
    for _number in range(30):
        UserFactory()
    client.force_login(world.admin)
    url = _export_link(client, reverse("accounts:user_list"))

    sheet = _only(_download(client, url))

    assert _header(sheet) == [
        "Name",
        "Username",
        "E-mail",
        "Active",
        "Administrator",
        "Last sign-in",
    ]
    expected = account_selectors.user_list(user=world.admin)
    assert _column(sheet, "Username") == [person.username for person in expected]
    rows = {row["Username"]: row for row in _rows(sheet)}
    assert rows["outsider"]["Active"] == "No"
    assert rows["admin"]["Administrator"] == "Yes"
    assert rows["viewer"]["Administrator"] == "No"
    assert rows["viewer"]["E-mail"] == world.viewer.email
    assert isinstance(rows["admin"]["Last sign-in"], dt.datetime)

    inactive = _only(_download(client, reverse("accounts:user_list") + "?active=0&format=xlsx"))
    assert _column(inactive, "Username") == ["outsider"]
    searched = _only(_download(client, reverse("accounts:user_list") + "?q=view&format=xlsx"))
    assert _column(searched, "Username") == ["viewer"]


def test_token_export_lists_only_the_users_own_tokens_and_no_secret(
    client: Client, world: World
) -> None:
    _mine, secret = account_services.token_create(
        actor=world.viewer, user=world.viewer, name="reporting"
    )
    old, old_secret = account_services.token_create(
        actor=world.viewer, user=world.viewer, name="old script"
    )
    account_services.token_revoke(actor=world.viewer, token=old)
    account_services.token_create(actor=world.pmo, user=world.pmo, name="someone else's")
    client.force_login(world.viewer)
    url = _export_link(client, reverse("accounts:token_list"))

    sheet = _only(_download(client, url))

    assert _header(sheet) == ["Name", "Prefix", "Created", "Last used", "State", "Revoked at"]
    expected = account_selectors.token_list(user=world.viewer)
    assert _column(sheet, "Prefix") == [token.prefix for token in expected]
    rows = {row["Name"]: row for row in _rows(sheet)}
    assert set(rows) == {"reporting", "old script"}
    assert (rows["reporting"]["State"], rows["old script"]["State"]) == ("Active", "Revoked")
    assert rows["reporting"]["Revoked at"] is None
    old.refresh_from_db()
    assert old.revoked_at is not None
    revoked = timezone.localtime(old.revoked_at).replace(tzinfo=None)
    assert abs(rows["old script"]["Revoked at"] - revoked) < dt.timedelta(seconds=1)
    cells = [str(value) for row in sheet.iter_rows(values_only=True) for value in row]
    assert not any(secret in cell or old_secret in cell for cell in cells)


def test_token_export_leaves_a_new_secret_to_be_shown_on_the_page(
    client: Client, world: World
) -> None:
    client.force_login(world.viewer)
    url = reverse("accounts:token_list")
    client.post(url, {"name": "reporting"})

    _download(client, url + XLSX)

    assert "plt_" in client.get(url).content.decode()


# Cost ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "more"),
    [
        ("portfolio:programme_list", lambda w: ProgrammeFactory(portfolio=w.portfolio)),
        ("portfolio:portfolio_list", lambda w: PortfolioFactory()),
        ("portfolio:objective_list", lambda w: ObjectiveFactory(portfolio=w.portfolio)),
        (
            "planning:calendar_list",
            lambda w: planning_services.calendar_create(
                actor=w.pmo,
                name=f"Calendar {WorkCalendar.objects.count()}",
                base=WorkCalendar.objects.first(),
            ),
        ),
        ("accounts:user_list", lambda w: UserFactory()),
    ],
)
def test_exports_run_a_constant_number_of_queries(
    client: Client,
    world: World,
    count_queries: Callable[[Callable[[], Any]], int],
    name: str,
    more: Callable[[World], Any],
) -> None:
    client.force_login(world.admin)
    url = reverse(name) + XLSX
    more(world)
    few = count_queries(lambda: client.get(url))
    for _number in range(6):
        more(world)
    assert count_queries(lambda: client.get(url)) == few
