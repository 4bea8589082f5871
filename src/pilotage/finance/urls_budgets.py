"""Pages of finance: budgets."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
