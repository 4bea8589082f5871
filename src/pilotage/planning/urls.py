"""Pages of plans: the task grid, charts, baselines, calendars and the health check."""

from django.urls import include, path

from pilotage.planning import views

app_name = "planning"

urlpatterns = [
    path("projects/<int:pk>/plan/", views.plan_grid, name="plan"),
    path("projects/<int:pk>/plan/settings/", views.plan_settings, name="plan_settings"),
    path("projects/<int:pk>/plan/tasks/new/", views.task_insert, name="task_insert"),
    path("projects/<int:pk>/plan/recalculate/", views.plan_recalculate, name="plan_recalculate"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/cell/", views.task_cell, name="task_cell"),
    path("tasks/<int:pk>/indent/", views.task_indent, name="task_indent"),
    path("tasks/<int:pk>/outdent/", views.task_outdent, name="task_outdent"),
    path("tasks/<int:pk>/move/", views.task_move, name="task_move"),
    path("tasks/<int:pk>/delete/", views.task_delete, name="task_delete"),
    path("tasks/<int:pk>/history/", views.task_history, name="task_history"),
    path("", include("pilotage.planning.urls_charts")),
    path("", include("pilotage.planning.urls_records")),
]
