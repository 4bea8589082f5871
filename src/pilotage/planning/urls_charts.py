"""Pages of plans (see pilotage.planning.urls)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
