"""Pages of finance: evm."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
