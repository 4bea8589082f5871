"""Pages of finance: earned value on a project's Finance tab and the portfolio dashboard."""

from django.urls import URLPattern, path

from pilotage.finance import views_evm

urlpatterns: list[URLPattern] = [
    path("projects/<int:pk>/finance/", views_evm.project_finance, name="project_finance"),
    path(
        "projects/<int:pk>/finance/records/",
        views_evm.project_record,
        name="project_earned_value_record",
    ),
    path("finance/", views_evm.dashboard, name="dashboard"),
]
