"""Application configuration for RAID logs, change requests and schedule risk simulations."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    name = "pilotage.risks"
    label = "risks"
    verbose_name = _("Risks")

    def ready(self) -> None:
        # Registers the risk register's spreadsheet import with the exchange targets.
        from pilotage.risks import risk_import  # noqa: F401
