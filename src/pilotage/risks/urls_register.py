"""Pages of the risk register: a project's RAID overview and register, risks and their actions,
the import of risks, the portfolio-wide RAID page and the scales."""

from django.urls import URLPattern, path

from pilotage.risks import views_register as views

urlpatterns: list[URLPattern] = [
    path("projects/<int:project_id>/raid/", views.project_raid, name="project_raid"),
    path("projects/<int:project_id>/raid/risks/", views.project_risks, name="project_risks"),
    path("projects/<int:project_id>/raid/risks/new/", views.risk_create, name="risk_create"),
    path(
        "projects/<int:project_id>/raid/risks/import/",
        views.risk_import_upload,
        name="risk_import",
    ),
    path(
        "projects/<int:project_id>/raid/risks/import/<str:token>/",
        views.risk_import_detail,
        name="risk_import_detail",
    ),
    path(
        "projects/<int:project_id>/raid/risks/import/<str:token>/apply/",
        views.risk_import_apply,
        name="risk_import_apply",
    ),
    path("raid/", views.raid, name="raid"),
    path("raid/scales/", views.scales, name="scales"),
    path("raid/scales/<str:kind>/", views.scale_edit, name="scale_edit"),
    path("raid/risks/<int:pk>/", views.risk_detail, name="risk_detail"),
    path("raid/risks/<int:pk>/edit/", views.risk_update, name="risk_update"),
    path("raid/risks/<int:pk>/delete/", views.risk_delete, name="risk_delete"),
    path("raid/risks/<int:pk>/escalate/", views.risk_escalate, name="risk_escalate"),
    path(
        "raid/risks/<int:pk>/actions/add/",
        views.risk_action_create,
        name="risk_action_create",
    ),
    path("raid/risks/<int:pk>/<str:step>/", views.risk_step, name="risk_step"),
    path("raid/risk-actions/<int:pk>/edit/", views.risk_action_update, name="risk_action_update"),
    path("raid/risk-actions/<int:pk>/<str:step>/", views.risk_action_step, name="risk_action_step"),
]
