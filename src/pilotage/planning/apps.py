"""Application configuration for planning and scheduling."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "pilotage.planning"
    label = "planning"
    verbose_name = _("Planning")
