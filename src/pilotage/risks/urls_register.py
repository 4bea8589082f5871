"""Placeholder replaced by the register pages."""

urlpatterns: list[object] = []
