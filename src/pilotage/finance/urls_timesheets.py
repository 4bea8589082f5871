"""Pages of finance: timesheets."""

from django.urls import URLPattern, path

from pilotage.finance import views_timesheets as views

urlpatterns: list[URLPattern] = [
    path("timesheets/", views.my_timesheet, name="my_timesheet"),
    path("timesheets/approvals/", views.timesheet_approvals, name="timesheet_approvals"),
    path("timesheets/missing/", views.timesheet_missing, name="timesheet_missing"),
    path("timesheets/import/", views.timesheet_import_upload, name="timesheet_import"),
    path(
        "timesheets/import/<str:token>/",
        views.timesheet_import_detail,
        name="timesheet_import_detail",
    ),
    path(
        "timesheets/import/<str:token>/apply/",
        views.timesheet_import_apply,
        name="timesheet_import_apply",
    ),
    path("timesheets/<int:pk>/", views.timesheet_detail, name="timesheet_detail"),
    path(
        "timesheets/<int:resource_pk>/<str:week>/",
        views.timesheet_week,
        name="timesheet_week",
    ),
    path("finance/locked-periods/", views.period_locks, name="period_locks"),
    path(
        "finance/locked-periods/<int:pk>/delete/",
        views.period_lock_delete,
        name="period_lock_delete",
    ),
    path(
        "projects/<int:pk>/finance/timesheets/",
        views.project_timesheets,
        name="project_timesheets",
    ),
]
