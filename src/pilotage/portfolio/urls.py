"""Pages of the portfolio domain."""

from django.urls import path

from pilotage.portfolio import views

app_name = "portfolio"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/members/", views.project_members, name="project_members"),
    path("projects/<int:pk>/history/", views.project_history, name="project_history"),
    path("projects/<int:pk>/edit/", views.project_update, name="project_update"),
    path("projects/<int:pk>/delete/", views.project_delete, name="project_delete"),
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/new/", views.programme_create, name="programme_create"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme_detail"),
    path("programmes/<int:pk>/members/", views.programme_members, name="programme_members"),
    path("programmes/<int:pk>/history/", views.programme_history, name="programme_history"),
    path("programmes/<int:pk>/edit/", views.programme_update, name="programme_update"),
    path("programmes/<int:pk>/delete/", views.programme_delete, name="programme_delete"),
    path("portfolios/", views.portfolio_list, name="portfolio_list"),
    path("portfolios/new/", views.portfolio_create, name="portfolio_create"),
    path("portfolios/<int:pk>/", views.portfolio_detail, name="portfolio_detail"),
    path("portfolios/<int:pk>/members/", views.portfolio_members, name="portfolio_members"),
    path("portfolios/<int:pk>/history/", views.portfolio_history, name="portfolio_history"),
    path("portfolios/<int:pk>/edit/", views.portfolio_update, name="portfolio_update"),
    path("portfolios/<int:pk>/delete/", views.portfolio_delete, name="portfolio_delete"),
    path("objectives/", views.objective_list, name="objective_list"),
    path("objectives/new/", views.objective_create, name="objective_create"),
    path("objectives/<int:pk>/", views.objective_detail, name="objective_detail"),
    path("objectives/<int:pk>/history/", views.objective_history, name="objective_history"),
    path("objectives/<int:pk>/edit/", views.objective_update, name="objective_update"),
    path("objectives/<int:pk>/delete/", views.objective_delete, name="objective_delete"),
]
