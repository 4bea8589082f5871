"""Pages of finance: contracts."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
