"""Pages of finance: suppliers, contracts, deliverables and invoices."""

from django.urls import URLPattern, path

from pilotage.finance import views_contracts as views

urlpatterns: list[URLPattern] = [
    path("finance/suppliers/", views.supplier_list, name="supplier_list"),
    path("finance/suppliers/new/", views.supplier_create, name="supplier_create"),
    path("finance/suppliers/<int:pk>/", views.supplier_detail, name="supplier_detail"),
    path("finance/suppliers/<int:pk>/edit/", views.supplier_update, name="supplier_update"),
    path("finance/suppliers/<int:pk>/active/", views.supplier_activate, name="supplier_activate"),
    path(
        "projects/<int:pk>/finance/contracts/",
        views.project_contracts,
        name="project_contracts",
    ),
    path(
        "projects/<int:pk>/finance/contracts/new/",
        views.contract_create,
        name="contract_create",
    ),
    path("finance/contracts/<int:pk>/", views.contract_detail, name="contract_detail"),
    path("finance/contracts/<int:pk>/edit/", views.contract_update, name="contract_update"),
    path(
        "finance/contracts/<int:pk>/<str:part>/add/",
        views.contract_part_create,
        name="contract_part_create",
    ),
    path(
        "finance/deliverables/<int:pk>/<str:action>/",
        views.deliverable_decide,
        name="deliverable_decide",
    ),
    path("projects/<int:pk>/finance/invoices/", views.project_invoices, name="project_invoices"),
    path("finance/invoices/", views.invoice_list, name="invoice_list"),
    path("finance/invoices/new/", views.invoice_create, name="invoice_create"),
    path("finance/invoices/<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path("finance/invoices/<int:pk>/file/", views.invoice_file, name="invoice_file"),
    path("finance/invoices/<int:pk>/<str:action>/", views.invoice_action, name="invoice_action"),
]
