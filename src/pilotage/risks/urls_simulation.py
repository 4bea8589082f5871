"""Placeholder replaced by the simulation pages."""

urlpatterns: list[object] = []
