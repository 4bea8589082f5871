"""Who is calling the API: a bearer token, or the signed-in session of the web pages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from pilotage.accounts.services import token_authenticate


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``: the token's user, with that user's permissions only.

    A request that presents a token which is unknown, revoked or belongs to an inactive user
    is refused outright, even if it also carries a session cookie: the caller meant the token.
    """

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get(self.header, "")
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != self.openapi_scheme:
            return None
        return self.authenticate(request, raw.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(token)
        if user is None:
            raise AuthenticationError()
        request.user = user
        # The session's user gets their saved language from the middleware; a token's user
        # gets the same treatment here.
        if user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return user


class SessionAuth(APIKeyCookie):
    """The session of the web pages; unsafe methods also need the CSRF token, as in the pages."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if (
            self.csrf
            and not getattr(request, "_ninja_csrf_exempt", False)
            and check_csrf(request) is not None
        ):
            raise HttpError(403, gettext("CSRF verification failed. Request aborted."))
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return self(request)
