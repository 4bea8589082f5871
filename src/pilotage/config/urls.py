"""Top-level URL configuration: pages, the REST API and the language switch."""

from django.urls import include, path

from pilotage.api.api import api

urlpatterns = [
    path("", include("pilotage.portfolio.urls")),
    path("", include("pilotage.planning.urls")),
    path("", include("pilotage.exchange.urls")),
    path("", include("pilotage.resources.urls")),
    path("", include("pilotage.finance.urls")),
    path("", include("pilotage.risks.urls")),
    path("", include("pilotage.collaboration.urls")),
    path("accounts/", include("pilotage.accounts.urls")),
    path("api/v1/", api.urls),
]
