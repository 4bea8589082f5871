"""Placeholder replaced by the raid pages."""

urlpatterns: list[object] = []
