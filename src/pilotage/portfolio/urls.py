"""Pages of the portfolio domain."""

from django.http import HttpResponse
from django.urls import path

app_name = "portfolio"


def _stub(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    return HttpResponse("stub")


urlpatterns = [
    path("", _stub, name="dashboard"),
    path("projects/", _stub, name="project_list"),
    path("programmes/", _stub, name="programme_list"),
    path("portfolios/", _stub, name="portfolio_list"),
    path("objectives/", _stub, name="objective_list"),
]
