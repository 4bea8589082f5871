"""Pages of issues, assumptions, dependencies, decisions and change requests."""

from django.urls import URLPattern, path

from pilotage.risks import views_raid as views

PROJECT = "projects/<int:project_id>/raid"

urlpatterns: list[URLPattern] = [
    path(f"{PROJECT}/issues/", views.project_issues, name="project_issues"),
    path(f"{PROJECT}/issues/new/", views.issue_create, name="issue_create"),
    path("raid/issues/<int:pk>/", views.issue_detail, name="issue_detail"),
    path("raid/issues/<int:pk>/edit/", views.issue_update, name="issue_update"),
    path("raid/issues/<int:pk>/<str:action>/", views.issue_action, name="issue_action"),
    path(f"{PROJECT}/assumptions/", views.project_assumptions, name="project_assumptions"),
    path(f"{PROJECT}/assumptions/new/", views.assumption_create, name="assumption_create"),
    path("raid/assumptions/<int:pk>/", views.assumption_detail, name="assumption_detail"),
    path("raid/assumptions/<int:pk>/edit/", views.assumption_update, name="assumption_update"),
    path(
        "raid/assumptions/<int:pk>/<str:action>/",
        views.assumption_action,
        name="assumption_action",
    ),
    path(f"{PROJECT}/dependencies/", views.project_dependencies, name="project_dependencies"),
    path(f"{PROJECT}/dependencies/new/", views.dependency_create, name="dependency_create"),
    path(f"{PROJECT}/dependencies/import/", views.dependency_import, name="dependency_import"),
    path("raid/dependencies/<int:pk>/", views.dependency_detail, name="dependency_detail"),
    path("raid/dependencies/<int:pk>/edit/", views.dependency_update, name="dependency_update"),
    path("raid/dependencies/<int:pk>/delete/", views.dependency_delete, name="dependency_delete"),
    path(f"{PROJECT}/decisions/", views.project_decisions, name="project_decisions"),
    path(f"{PROJECT}/decisions/new/", views.decision_create, name="decision_create"),
    path("raid/decisions/<int:pk>/", views.decision_detail, name="decision_detail"),
    path("raid/decisions/<int:pk>/edit/", views.decision_update, name="decision_update"),
    path("raid/decisions/<int:pk>/delete/", views.decision_delete, name="decision_delete"),
    path(
        f"{PROJECT}/change-requests/",
        views.project_change_requests,
        name="project_change_requests",
    ),
    path(
        f"{PROJECT}/change-requests/new/",
        views.change_request_create,
        name="change_request_create",
    ),
    path(
        "raid/change-requests/approvals/",
        views.change_request_approvals,
        name="change_request_approvals",
    ),
    path(
        "raid/change-requests/<int:pk>/",
        views.change_request_detail,
        name="change_request_detail",
    ),
    path(
        "raid/change-requests/<int:pk>/edit/",
        views.change_request_update,
        name="change_request_update",
    ),
    path(
        "raid/change-requests/<int:pk>/<str:action>/",
        views.change_request_action,
        name="change_request_action",
    ),
    path(
        "raid/change-request-tasks/<int:pk>/remove/",
        views.change_request_task_remove,
        name="change_request_task_remove",
    ),
]
