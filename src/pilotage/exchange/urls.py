"""Pages of imports, exports and calendar subscriptions (namespace ``exchange``)."""

from django.urls import path

from pilotage.exchange import views

app_name = "exchange"

urlpatterns = [
    path("imports/", views.import_list, name="import_list"),
    path("imports/new/", views.import_new, name="import_new"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/discard/", views.import_discard, name="import_discard"),
    path("projects/<int:pk>/exchange/", views.project_exchange, name="project_exchange"),
    path("projects/<int:pk>/export/<str:format>/", views.project_export, name="project_export"),
    path("calendar/", views.calendar_subscription, name="calendar_subscription"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
