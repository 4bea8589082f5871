"""Pages of finance: budgets, costs, the finance settings and the import of ERP exports."""

from django.urls import URLPattern, path

from pilotage.finance import views_budgets as views

urlpatterns: list[URLPattern] = [
    path("finance/settings/", views.settings_page, name="settings"),
    path("finance/settings/categories/", views.category_create, name="category_create"),
    path(
        "finance/settings/categories/defaults/",
        views.category_defaults,
        name="category_defaults",
    ),
    path(
        "finance/settings/categories/<int:pk>/edit/",
        views.category_update,
        name="category_update",
    ),
    path(
        "finance/settings/categories/<int:pk>/delete/",
        views.category_delete,
        name="category_delete",
    ),
    path("finance/settings/rates/", views.rate_create, name="rate_create"),
    path("finance/settings/rates/<int:pk>/delete/", views.rate_delete, name="rate_delete"),
    path("projects/<int:pk>/finance/budgets/", views.project_budgets, name="project_budgets"),
    path(
        "programmes/<int:pk>/finance/budgets/",
        views.programme_budgets,
        name="programme_budgets",
    ),
    path("finance/budgets/new/", views.budget_create, name="budget_create"),
    path("finance/budgets/<int:pk>/", views.budget_detail, name="budget_detail"),
    path("finance/budgets/<int:pk>/submit/", views.budget_submit, name="budget_submit"),
    path("finance/budgets/<int:pk>/approve/", views.budget_approve, name="budget_approve"),
    path("finance/budgets/<int:pk>/reject/", views.budget_reject, name="budget_reject"),
    path("finance/budgets/<int:pk>/delete/", views.budget_delete, name="budget_delete"),
    path("finance/budgets/<int:pk>/import/", views.budget_import_upload, name="budget_import"),
    path(
        "finance/budgets/<int:pk>/import/<str:token>/",
        views.budget_import_detail,
        name="budget_import_detail",
    ),
    path(
        "finance/budgets/<int:pk>/import/<str:token>/apply/",
        views.budget_import_apply,
        name="budget_import_apply",
    ),
    path("projects/<int:pk>/finance/costs/", views.project_costs, name="project_costs"),
    path(
        "projects/<int:pk>/finance/costs/new/",
        views.actual_cost_create,
        name="actual_cost_create",
    ),
    path(
        "finance/actual-costs/<int:pk>/delete/",
        views.actual_cost_delete,
        name="actual_cost_delete",
    ),
    path(
        "projects/<int:pk>/finance/cost-baselines/capture/",
        views.cost_baseline_capture,
        name="cost_baseline_capture",
    ),
    path("finance/imports/actual-costs/", views.erp_import_upload, name="erp_import"),
    path(
        "finance/imports/actual-costs/<str:token>/",
        views.erp_import_detail,
        name="erp_import_detail",
    ),
    path(
        "finance/imports/actual-costs/<str:token>/apply/",
        views.erp_import_apply,
        name="erp_import_apply",
    ),
]
