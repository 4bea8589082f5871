"""Pages of earned value: a project's Finance tab and the portfolio finance dashboard."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from pilotage.accounts.permissions import Action, can, visible
from pilotage.core.exports import xlsx_response
from pilotage.core.pages import PageRequest
from pilotage.finance.budgets import portfolio_budget_rollup
from pilotage.finance.earned_value import (
    AMBER_AT,
    GREEN_AT,
    EarnedValueGroup,
    PortfolioEarnedValue,
    ProjectEarnedValue,
    budget_totals,
    earned_value_record,
    earned_value_records,
    portfolio_earned_value,
    project_earned_value_series,
)
from pilotage.finance.invoices import invoice_list
from pilotage.finance.models import InvoiceStatus
from pilotage.interop.xlsx import Column, Row, Sheet
from pilotage.portfolio import selectors as portfolio_selectors
from pilotage.portfolio.models import Portfolio, Programme, Project


def _url(name: str, *args: Any) -> str | None:
    """The URL of a page of another area, or None while that page does not exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


class StatusDateForm(forms.Form):
    as_of = forms.DateField(
        label=_("Status date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Progress and costs are counted to the end of this day."),
    )

    def status_date(self) -> dt.date:
        """The date asked for, or today when none (or an invalid one) was given."""
        if self.is_bound and self.is_valid() and self.cleaned_data.get("as_of"):
            value: dt.date = self.cleaned_data["as_of"]
            return value
        return timezone.localdate()


def _status_form(data: Any) -> StatusDateForm:
    form = StatusDateForm(data if data.get("as_of") else None)
    if not form.is_bound:
        form = StatusDateForm(initial={"as_of": timezone.localdate()})
    return form


def _form_errors(form: forms.Form) -> list[str]:
    if not form.is_bound or form.is_valid():
        return []
    return [str(error) for errors in form.errors.values() for error in errors]


# The project's Finance tab --------------------------------------------------------------------


@dataclass(frozen=True)
class MetricRow:
    """One line of the table of metrics: its name, abbreviation, value and formula."""

    name: str
    abbreviation: str
    value: str
    formula: str
    band: str = ""


def _money_text(value: Decimal | None, currency: str) -> str:
    if value is None:
        return "—"
    text = formats.number_format(value, decimal_pos=2, force_grouping=True)
    return f"{text}\u00a0{currency}"


def _index_text(value: float | None) -> str:
    if value is None:
        return "—"
    return formats.number_format(Decimal(str(round(value, 2))), decimal_pos=2)


def _days_text(value: float | None) -> str:
    if value is None:
        return "—"
    return gettext("%(days)s days") % {
        "days": formats.number_format(Decimal(str(round(value, 1))), decimal_pos=1)
    }


def _date_text(value: dt.date | None) -> str:
    return "—" if value is None else formats.date_format(value, "DATE_FORMAT")


def _percent_text(value: float | None) -> str:
    if value is None:
        return "—"
    return formats.number_format(Decimal(str(round(value * 100, 1))), decimal_pos=1) + "\u00a0%"


def metric_rows(figures: ProjectEarnedValue) -> list[MetricRow]:
    """Every metric of ``figures`` with its full name, abbreviation and formula in words."""
    money = figures.currency

    def m(value: Decimal | None) -> str:
        return _money_text(value, money)

    return [
        MetricRow(
            gettext("Budget at completion"),
            "BAC",
            m(figures.budget_at_completion),
            gettext("The planned cost of the whole cost baseline."),
        ),
        MetricRow(
            gettext("Planned value"),
            "PV",
            m(figures.planned_value),
            gettext("The cost the baseline planned to the end of the status date."),
        ),
        MetricRow(
            gettext("Earned value"),
            "EV",
            m(figures.earned_value),
            # xgettext:no-python-format
            gettext("Each baseline task's cost × its % complete, added up."),
        ),
        MetricRow(
            gettext("Actual cost"),
            "AC",
            m(figures.actual_cost),
            gettext("The actual costs recorded to the status date, in the project's currency."),
        ),
        MetricRow(
            gettext("Schedule variance"),
            "SV",
            m(figures.schedule_variance),
            gettext("EV − PV: negative when behind the plan."),
        ),
        MetricRow(
            gettext("Cost variance"),
            "CV",
            m(figures.cost_variance),
            gettext("EV − AC: negative when over cost."),
        ),
        MetricRow(
            gettext("Schedule performance index"),
            "SPI",
            _index_text(figures.schedule_performance_index),
            gettext("EV ÷ PV: the share of the planned work that is done."),
            figures.spi_band,
        ),
        MetricRow(
            gettext("Cost performance index"),
            "CPI",
            _index_text(figures.cost_performance_index),
            gettext("EV ÷ AC: the value earned for each unit spent."),
            figures.cpi_band,
        ),
        MetricRow(
            gettext("Estimate at completion"),
            "EAC",
            m(figures.estimate_at_completion),
            gettext("BAC ÷ CPI: the rest will cost as the work done so far did."),
        ),
        MetricRow(
            gettext("Estimate at completion, atypical"),
            "EAC",
            m(figures.estimate_at_completion_atypical),
            gettext("AC + (BAC − EV): the rest will cost what was budgeted."),
        ),
        MetricRow(
            gettext("Estimate at completion, cost and schedule"),
            "EAC",
            m(figures.estimate_at_completion_cpi_spi),
            gettext("AC + (BAC − EV) ÷ (CPI × SPI): both performances weigh on the rest."),
        ),
        MetricRow(
            gettext("Estimate at completion, bottom-up"),
            "EAC",
            m(figures.estimate_at_completion_bottom_up),
            gettext(
                "AC + the remaining work of the assignments × today's rates + the fixed "
                "costs not yet earned."
            ),
        ),
        MetricRow(
            gettext("Estimate to complete"),
            "ETC",
            m(figures.estimate_to_complete),
            gettext("EAC − AC: what the rest will cost."),
        ),
        MetricRow(
            gettext("Variance at completion"),
            "VAC",
            m(figures.variance_at_completion),
            gettext("BAC − EAC: negative when the project will cost more than budgeted."),
            figures.vac_band,
        ),
        MetricRow(
            gettext("To-complete performance index (to BAC)"),
            "TCPI",
            _index_text(figures.to_complete_performance_index_bac),
            gettext("(BAC − EV) ÷ (BAC − AC): the efficiency needed to finish on budget."),
        ),
        MetricRow(
            gettext("To-complete performance index (to EAC)"),
            "TCPI",
            _index_text(figures.to_complete_performance_index_eac),
            gettext("(BAC − EV) ÷ (EAC − AC): the efficiency needed to finish at the EAC."),
        ),
        MetricRow(
            gettext("Percent complete"),
            "EV/BAC",
            _percent_text(figures.percent_complete),
            gettext("EV ÷ BAC."),
        ),
        MetricRow(
            gettext("Percent spent"),
            "AC/BAC",
            _percent_text(figures.percent_spent),
            gettext("AC ÷ BAC."),
        ),
        MetricRow(
            gettext("Earned schedule"),
            "ES",
            f"{_date_text(figures.earned_schedule)} ({_days_text(figures.earned_schedule_days)})",
            gettext("The day by which the plan had earned what is earned now."),
        ),
        MetricRow(
            gettext("Actual time"),
            "AT",
            _days_text(figures.actual_time_days),
            gettext("From the baseline's start to the end of the status date."),
        ),
        MetricRow(
            gettext("Schedule variance (time)"),
            "SV(t)",
            _days_text(figures.schedule_variance_time_days),
            gettext("ES − AT: days ahead (positive) or behind (negative)."),
        ),
        MetricRow(
            gettext("Schedule performance index (time)"),
            "SPI(t)",
            _index_text(figures.schedule_performance_index_time),
            gettext("ES ÷ AT: unlike the SPI it keeps telling the truth after the due date."),
            figures.spi_time_band,
        ),
        MetricRow(
            gettext("Independent estimate at completion (time)"),
            "IEAC(t)",
            _days_text(figures.independent_estimate_at_completion_time_days),
            gettext("Planned duration ÷ SPI(t): the forecast duration."),
        ),
        MetricRow(
            gettext("Planned finish"),
            "",
            _date_text(figures.planned_finish),
            gettext("The day the planned value reaches the BAC."),
        ),
        MetricRow(
            gettext("Forecast finish"),
            "",
            _date_text(figures.forecast_finish),
            gettext("The status date + (IEAC(t) − AT)."),
            figures.finish_band,
        ),
    ]


def _chart_data(series: Any) -> dict[str, Any]:
    def numbers(values: list[Decimal]) -> list[float]:
        return [float(value) for value in values]

    return {
        "currency": series.currency,
        "as_of": series.as_of.isoformat(),
        "dates": [day.isoformat() for day in series.dates],
        "planned_value": numbers(series.planned_value),
        "actual_cost": numbers(series.actual_cost),
        "earned_value": {
            "dates": [day.isoformat() for day, _value in series.earned_value],
            "values": [float(value) for _day, value in series.earned_value],
        },
        "forecast": {
            "dates": [day.isoformat() for day, _value in series.forecast],
            "values": [float(value) for _day, value in series.forecast],
        },
        "separators": str(formats.get_format("DECIMAL_SEPARATOR"))
        + str(formats.get_format("THOUSAND_SEPARATOR")),
        "labels": {
            "planned_value": gettext("Planned value (PV)"),
            "earned_value": gettext("Earned value (EV)"),
            "actual_cost": gettext("Actual cost (AC)"),
            "forecast": gettext("Forecast to the EAC"),
            "status_date": gettext("Status date"),
        },
    }


def _may_record(user: Any, project: Project) -> bool:
    return can(user, Action.CHANGE, project) or can(user, Action.MANAGE_FINANCE, project)


@login_required
def project_finance(request: PageRequest, pk: int) -> HttpResponse:
    """A project's earned value at a status date, its S-curve, budgets and recorded dates."""
    project = portfolio_selectors.project_get_for_user(pk, user=request.user)
    form = _status_form(request.GET)
    as_of = form.status_date()
    series = project_earned_value_series(project, as_of=as_of)
    figures = series.figures
    budgets = (
        budget_totals(project, currency=figures.currency, on=as_of)
        if figures.has_baseline
        else None
    )
    return render(
        request,
        "finance/project_finance.html",
        {
            "project": project,
            "tab": "finance",
            "finance_tab": "overview",
            "active_nav": "projects",
            "form": form,
            "form_errors": _form_errors(form),
            "as_of": as_of,
            "figures": figures,
            "metrics": metric_rows(figures) if figures.computed else [],
            "chart_data": _chart_data(series) if figures.computed else None,
            "budgets": budgets,
            "records": earned_value_records(project),
            "may_record": _may_record(request.user, project),
            "costs_url": _url("finance:project_costs", project.pk),
            "green_at": GREEN_AT,
            "amber_at": AMBER_AT,
        },
    )


@login_required
@require_POST
def project_record(request: PageRequest, pk: int) -> HttpResponseBase:
    """Record the project's figures at the status date posted."""
    project = portfolio_selectors.project_get_for_user(pk, user=request.user)
    form = StatusDateForm(request.POST)
    target = reverse("finance:project_finance", args=[project.pk])
    if not form.is_valid() or not form.cleaned_data.get("as_of"):
        messages.error(request, gettext("Give a valid status date (YYYY-MM-DD)."))
        return redirect(target)
    as_of = form.cleaned_data["as_of"]
    try:
        earned_value_record(actor=request.user, project=project, as_of=as_of)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            gettext("The figures at %(date)s were recorded.")
            % {"date": formats.date_format(as_of, "DATE_FORMAT")},
        )
    return redirect(f"{target}?{urlencode({'as_of': as_of.isoformat()})}")


# The portfolio finance dashboard -------------------------------------------------------------


class DashboardFilterForm(StatusDateForm):
    portfolio = forms.ModelChoiceField(
        label=_("Portfolio"), queryset=Portfolio.objects.none(), required=False
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.none(), required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        portfolio_field: Any = self.fields["portfolio"]
        portfolio_field.queryset = visible(user, Portfolio.objects.order_by("name"))
        portfolio_field.empty_label = gettext("All portfolios")
        programme_field: Any = self.fields["programme"]
        programme_field.queryset = visible(
            user, Programme.objects.select_related("portfolio").order_by("name")
        )
        programme_field.empty_label = gettext("All programmes")

    def chosen(self, name: str) -> Any:
        if self.is_bound and self.is_valid():
            return self.cleaned_data.get(name)
        return None


@dataclass(frozen=True)
class TableRow:
    """A line of the roll-up table: a portfolio, a programme or a project."""

    level: int
    kind: str
    code: str
    name: str
    url: str
    figures: ProjectEarnedValue
    problems: list[str]


def rollup_rows(view: PortfolioEarnedValue) -> list[TableRow]:
    """Portfolio > programme > project, each group followed by what it holds."""
    rows: list[TableRow] = []
    by_portfolio: dict[int, list[tuple[Project, ProjectEarnedValue]]] = {}
    for project, figures in view.projects:
        by_portfolio.setdefault(project.portfolio_id, []).append((project, figures))
    programmes: dict[int, EarnedValueGroup] = {
        group.pk: group for group in view.programmes if group.pk is not None
    }
    portfolios: dict[int, EarnedValueGroup] = {
        group.pk: group for group in view.portfolios if group.pk is not None
    }

    def project_row(project: Project, figures: ProjectEarnedValue, level: int) -> TableRow:
        return TableRow(
            level,
            "project",
            project.code,
            project.name,
            reverse("finance:project_finance", args=[project.pk]),
            figures,
            figures.problems,
        )

    for portfolio_id, pairs in by_portfolio.items():
        portfolio = pairs[0][0].portfolio
        group = portfolios.get(portfolio_id)
        rows.append(
            TableRow(
                0,
                "portfolio",
                portfolio.code,
                portfolio.name,
                portfolio.get_absolute_url(),
                group.figures if group else ProjectEarnedValue(view.currency, view.as_of),
                [],
            )
        )
        programme_pairs: dict[int, list[tuple[Project, ProjectEarnedValue]]] = {}
        loose = []
        for project, figures in pairs:
            if project.programme_id is None:
                loose.append((project, figures))
            else:
                programme_pairs.setdefault(project.programme_id, []).append((project, figures))
        for programme_id, members in programme_pairs.items():
            programme = members[0][0].programme
            assert programme is not None
            programme_group = programmes.get(programme_id)
            rows.append(
                TableRow(
                    1,
                    "programme",
                    programme.code,
                    programme.name,
                    programme.get_absolute_url(),
                    programme_group.figures
                    if programme_group
                    else ProjectEarnedValue(view.currency, view.as_of),
                    [],
                )
            )
            rows.extend(project_row(project, figures, 2) for project, figures in members)
        rows.extend(project_row(project, figures, 1) for project, figures in loose)
    return rows


def _invoices_on_hold(user: Any, portfolio: Any, programme: Any) -> list[dict[str, Any]]:
    invoices = invoice_list(user=user, status=InvoiceStatus.ON_HOLD, portfolio=portfolio)
    if programme is not None:
        invoices = invoices.filter(project__programme=programme)
    has_detail = _url("finance:invoice_detail", 0) is not None
    found = []
    for invoice in invoices.order_by("received_on", "pk"):
        reasons = invoice.hold_reasons or []
        found.append(
            {
                "invoice": invoice,
                "reason": reasons[0].get("message", "") if reasons else "",
                "url": reverse("finance:invoice_detail", args=[invoice.pk]) if has_detail else None,
            }
        )
    return found


def _dashboard_xlsx(view: PortfolioEarnedValue, rows: list[TableRow]) -> HttpResponse:
    currency = view.currency
    kinds = {
        "portfolio": gettext("Portfolio"),
        "programme": gettext("Programme"),
        "project": gettext("Project"),
    }

    def number(value: float | None) -> float | None:
        return None if value is None else round(value, 4)

    sheet = Sheet(
        gettext("Earned value"),
        [
            Column(gettext("Kind"), "text"),
            Column(gettext("Code"), "text"),
            Column(gettext("Name"), "text", width=36),
            Column(gettext("Budget at completion"), "money", currency=currency),
            Column(gettext("Planned value"), "money", currency=currency),
            Column(gettext("Earned value"), "money", currency=currency),
            Column(gettext("Actual cost"), "money", currency=currency),
            Column(gettext("Cost performance index"), "decimal"),
            Column(gettext("Schedule performance index"), "decimal"),
            Column(gettext("Schedule performance index (time)"), "decimal"),
            Column(gettext("Estimate at completion"), "money", currency=currency),
            Column(gettext("Variance at completion"), "money", currency=currency),
            Column(gettext("Forecast finish"), "date"),
            Column(gettext("Problems"), "text", width=40),
        ],
        [
            Row(
                [
                    kinds[row.kind],
                    row.code,
                    row.name,
                    row.figures.budget_at_completion,
                    row.figures.planned_value,
                    row.figures.earned_value,
                    row.figures.actual_cost,
                    number(row.figures.cost_performance_index),
                    number(row.figures.schedule_performance_index),
                    number(row.figures.schedule_performance_index_time),
                    row.figures.estimate_at_completion,
                    row.figures.variance_at_completion,
                    row.figures.forecast_finish,
                    "; ".join(row.problems),
                ],
                level=row.level,
            )
            for row in rows
        ],
    )
    return xlsx_response("earned-value", [sheet], title=gettext("Earned value"))


@login_required
def dashboard(request: PageRequest) -> HttpResponseBase:
    """Earned value across the visible projects: totals, overruns, the roll-up table and the
    invoices on hold."""
    data = (
        request.GET
        if any(request.GET.get(k) for k in ("as_of", "portfolio", "programme"))
        else None
    )
    form = DashboardFilterForm(data, user=request.user)
    portfolio = form.chosen("portfolio")
    programme = form.chosen("programme")
    as_of = form.status_date()
    view = portfolio_earned_value(
        request.user, portfolio=portfolio, programme=programme, as_of=as_of
    )
    rows = rollup_rows(view)
    if request.GET.get("format") == "xlsx":
        return _dashboard_xlsx(view, rows)
    if not form.is_bound:
        form = DashboardFilterForm(initial={"as_of": as_of}, user=request.user)
    query = {key: value for key, value in request.GET.items() if key != "format" and value}
    return render(
        request,
        "finance/dashboard.html",
        {
            "active_nav": "finance",
            "form": form,
            "form_errors": _form_errors(form),
            "view": view,
            "total": view.total.figures,
            "rows": rows,
            "overruns": view.overruns,
            "left_out": view.left_out,
            "invoices": _invoices_on_hold(request.user, portfolio, programme),
            "budgets": [
                row
                for row in portfolio_budget_rollup(user=request.user, portfolio=portfolio)
                if programme is None
                or row.level == "total"
                or programme.pk in (row.pk if row.level == "programme" else None, row.programme_id)
            ],
            "export_query": urlencode({**query, "format": "xlsx"}),
            "green_at": GREEN_AT,
            "amber_at": AMBER_AT,
        },
    )
