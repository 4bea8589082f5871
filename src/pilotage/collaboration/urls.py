"""Pages of meetings (namespace ``collaboration``)."""

from django.urls import URLPattern, path

from pilotage.collaboration import views

app_name = "collaboration"

urlpatterns: list[URLPattern] = [
    path("meetings/", views.my_meetings, name="my_meetings"),
    path("projects/<int:project_id>/meetings/", views.project_meetings, name="project_meetings"),
    path("projects/<int:project_id>/meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_update, name="meeting_update"),
    path("meetings/<int:pk>/minutes/", views.meeting_minutes, name="meeting_minutes"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/reinstate/", views.meeting_reinstate, name="meeting_reinstate"),
    path("meetings/<int:pk>/delete/", views.meeting_delete, name="meeting_delete"),
    path("meetings/<int:pk>/meeting.ics", views.meeting_ics, name="meeting_ics"),
]
