"""Pages of calendars, baselines and the schedule health check (see pilotage.planning.urls)."""

from django.urls import URLPattern, path

from pilotage.planning import views_records as views

urlpatterns: list[URLPattern] = [
    path("calendars/", views.calendar_list, name="calendar_list"),
    path("calendars/new/", views.calendar_create, name="calendar_create"),
    path("calendars/<int:pk>/", views.calendar_detail, name="calendar_detail"),
    path("calendars/<int:pk>/edit/", views.calendar_update, name="calendar_update"),
    path("calendars/<int:pk>/delete/", views.calendar_delete, name="calendar_delete"),
    path("calendars/<int:pk>/history/", views.calendar_history, name="calendar_history"),
    path("calendars/<int:pk>/exceptions/new/", views.exception_create, name="exception_create"),
    path("calendar-exceptions/<int:pk>/edit/", views.exception_update, name="exception_update"),
    path("calendar-exceptions/<int:pk>/delete/", views.exception_delete, name="exception_delete"),
    path("projects/<int:pk>/baselines/", views.baseline_list, name="baseline_list"),
    path("baselines/<int:pk>/", views.baseline_detail, name="baseline_detail"),
    path("baselines/<int:pk>/edit/", views.baseline_update, name="baseline_update"),
    path("baselines/<int:pk>/delete/", views.baseline_delete, name="baseline_delete"),
    path("projects/<int:pk>/health/", views.health, name="health"),
]
