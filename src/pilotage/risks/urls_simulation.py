"""Pages of schedule risk analysis: three-point estimates and simulation runs."""

from django.urls import URLPattern, path

from pilotage.risks import views_simulation as views

urlpatterns: list[URLPattern] = [
    path(
        "projects/<int:project_id>/raid/estimates/",
        views.project_estimates,
        name="project_estimates",
    ),
    path(
        "projects/<int:project_id>/raid/estimates/multipliers/",
        views.estimates_bulk,
        name="estimates_bulk",
    ),
    path(
        "projects/<int:project_id>/raid/estimates/<int:task_id>/",
        views.estimate_save,
        name="estimate_save",
    ),
    path(
        "projects/<int:project_id>/raid/estimates/<int:task_id>/clear/",
        views.estimate_clear,
        name="estimate_clear",
    ),
    path(
        "projects/<int:project_id>/raid/simulations/",
        views.project_simulations,
        name="project_simulations",
    ),
    path("raid/simulations/<int:pk>/", views.simulation_detail, name="simulation_detail"),
    path("raid/simulations/<int:pk>/rerun/", views.simulation_rerun, name="simulation_rerun"),
    path("raid/simulations/<int:pk>/delete/", views.simulation_delete, name="simulation_delete"),
]
