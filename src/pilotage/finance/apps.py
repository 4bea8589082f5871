"""Application configuration for budgets, costs, timesheets, contracts and invoices."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "pilotage.finance"
    label = "finance"
    verbose_name = _("Finance")
