"""Application configuration for meetings and, later, the rest of project collaboration."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollaborationConfig(AppConfig):
    name = "pilotage.collaboration"
    label = "collaboration"
    verbose_name = _("Collaboration")
