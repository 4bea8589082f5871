"""Pages of finance: timesheets."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
