"""Pages for signing in, the user's own settings and user administration."""

from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import path

app_name = "accounts"


def _stub(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    return HttpResponse("stub")


urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", _stub, name="password_change"),
    path("language/", _stub, name="set_language"),
    path("profile/", _stub, name="profile"),
    path("tokens/", _stub, name="token_list"),
    path("users/", _stub, name="user_list"),
]
