"""Pages of resources, the organisation, demand against capacity, role demand and assignments."""

from django.urls import path

from pilotage.resources import views, views_leveling

app_name = "resources"

urlpatterns = [
    path("resources/", views.resource_list, name="resource_list"),
    path("resources/new/", views.resource_create, name="resource_create"),
    path("resources/organisation/", views.organisation, name="organisation"),
    path(
        "resources/organisation/<str:kind>/new/",
        views.organisation_item_create,
        name="organisation_item_create",
    ),
    path(
        "resources/organisation/<str:kind>/<int:pk>/edit/",
        views.organisation_item_update,
        name="organisation_item_update",
    ),
    path(
        "resources/organisation/<str:kind>/<int:pk>/delete/",
        views.organisation_item_delete,
        name="organisation_item_delete",
    ),
    path("resources/<int:pk>/", views.resource_detail, name="resource_detail"),
    path("resources/<int:pk>/edit/", views.resource_update, name="resource_update"),
    path("resources/<int:pk>/delete/", views.resource_delete, name="resource_delete"),
    path(
        "resources/<int:pk>/histogram/",
        views.resource_histogram_view,
        name="resource_histogram",
    ),
    path("resources/<int:pk>/capacity/", views.capacity_add, name="capacity_add"),
    path(
        "resources/<int:pk>/capacity/<int:item_pk>/delete/",
        views.capacity_remove,
        name="capacity_remove",
    ),
    path("resources/<int:pk>/rates/", views.rate_add, name="rate_add"),
    path("resources/<int:pk>/rates/<int:item_pk>/delete/", views.rate_remove, name="rate_remove"),
    path("resources/<int:pk>/loads/", views.load_add, name="load_add"),
    path("resources/<int:pk>/loads/<int:item_pk>/delete/", views.load_remove, name="load_remove"),
    path("resources/<int:pk>/skills/", views.skill_set, name="skill_set"),
    path(
        "resources/<int:pk>/skills/<int:item_pk>/delete/",
        views.skill_remove,
        name="skill_remove",
    ),
    path("capacity/", views.capacity, name="capacity"),
    path("capacity/cell/", views.capacity_cell_view, name="capacity_cell"),
    path("projects/<int:pk>/demand/", views.project_demand, name="project_demand"),
    path("tasks/<int:pk>/assignments/", views.task_assignments, name="task_assignments"),
    path("assignments/<int:pk>/", views.assignment_update, name="assignment_update"),
    path("assignments/<int:pk>/delete/", views.assignment_delete, name="assignment_delete"),
    path("leveling/", views_leveling.leveling_list, name="leveling_list"),
    path("leveling/<int:pk>/", views_leveling.leveling_detail, name="leveling_detail"),
    path(
        "leveling/<int:pk>/<str:decision>/",
        views_leveling.leveling_decide,
        name="leveling_decide",
    ),
]
