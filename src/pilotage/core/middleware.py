"""Turn domain errors that escape a view into the matching HTTP responses."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from pilotage.core.errors import ForbiddenError, NotFoundError


class DomainErrorMiddleware:
    """Map :class:`NotFoundError` to 404 and :class:`ForbiddenError` to 403 for the web pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, NotFoundError):
            raise Http404(exception.message) from exception
        if isinstance(exception, ForbiddenError):
            raise PermissionDenied(exception.message) from exception
