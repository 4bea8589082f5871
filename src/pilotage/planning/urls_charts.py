"""Chart pages of plans (see pilotage.planning.urls)."""

from django.urls import path

from pilotage.planning import views_charts

urlpatterns = [
    path("projects/<int:pk>/gantt/", views_charts.gantt, name="gantt"),
    path("projects/<int:pk>/network/", views_charts.network, name="network"),
    path("programmes/<int:pk>/gantt/", views_charts.programme_gantt, name="programme_gantt"),
    path("portfolios/<int:pk>/gantt/", views_charts.portfolio_gantt, name="portfolio_gantt"),
]
