"""Pages for signing in, the user's own settings and user administration."""

from django.contrib.auth import views as auth_views
from django.urls import path

from pilotage.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("language/", views.set_language, name="set_language"),
    path("profile/", views.profile, name="profile"),
    path("tokens/", views.token_list, name="token_list"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/password/", views.user_password, name="user_password"),
    path("users/<int:pk>/memberships/", views.user_memberships, name="user_memberships"),
    path("users/<int:pk>/history/", views.user_history, name="user_history"),
    path("memberships/<int:pk>/delete/", views.membership_delete, name="membership_delete"),
]
