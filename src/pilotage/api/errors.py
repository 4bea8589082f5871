"""The one error envelope: every failure of the API becomes ``{"error": {...}}`` with a code."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver
from django.utils.translation import gettext
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationErrorContext
from ninja.errors import ValidationError as NinjaValidationError

from pilotage.core.errors import ForbiddenError, NotFoundError

logger = logging.getLogger("pilotage.api")

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "validation_error",
    429: "too_many_requests",
    500: "server_error",
}

# Services name the model's fields; the API's inputs name a related object by its id.
INPUT_NAMES = {
    "portfolio": "portfolio_id",
    "programme": "programme_id",
    "project": "project_id",
    "owner": "owner_id",
    "sponsor": "sponsor_id",
    "manager": "manager_id",
    "user": "user_id",
    "objectives": "objective_ids",
}


def _pydantic_message(error: Mapping[str, Any]) -> str:
    """A translated sentence for one pydantic error (pydantic's own messages are English)."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind == "missing":
        return gettext("This field is required.")
    if kind == "null_not_allowed":
        return gettext("This field cannot be null.")
    if kind == "extra_forbidden":
        return gettext("Unknown field.")
    if kind in {"enum", "literal_error"}:
        return gettext("Select a valid choice. %(value)s is not one of the available choices.") % {
            "value": value
        }
    if kind.startswith("int_"):
        return gettext("Enter a whole number.")
    if kind.startswith(("decimal_", "float_")) or kind == "finite_number":
        return gettext("Enter a number.")
    if kind.startswith("datetime_"):
        return gettext("Enter a valid date/time.")
    if kind.startswith("date_"):
        return gettext("Enter a valid date.")
    if kind.startswith("bool_"):
        return gettext("Enter true or false.")
    if kind in {"string_type", "string_unicode"}:
        return gettext("Enter a text.")
    if kind == "string_too_long":
        return gettext("Ensure this value has at most %(limit)s characters.") % {
            "limit": ctx.get("max_length")
        }
    if kind == "string_too_short":
        return gettext("Ensure this value has at least %(limit)s characters.") % {
            "limit": ctx.get("min_length")
        }
    if kind in {"greater_than_equal", "greater_than"}:
        return gettext("Ensure this value is greater than or equal to %(limit_value)s.") % {
            "limit_value": ctx.get("ge", ctx.get("gt"))
        }
    if kind in {"less_than_equal", "less_than"}:
        return gettext("Ensure this value is less than or equal to %(limit_value)s.") % {
            "limit_value": ctx.get("le", ctx.get("lt"))
        }
    if kind in {"list_type", "tuple_type", "set_type"}:
        return gettext("Enter a list of values.")
    if kind in {"model_attributes_type", "dict_type", "model_type"}:
        return gettext("Send a JSON object.")
    if kind == "json_invalid":
        return gettext("The request body is not valid JSON.")
    return gettext("Enter a valid value.")


def _input_field(location: tuple[Any, ...]) -> str:
    """The input field an error is about: ``("body", "payload", "budget")`` -> ``budget``."""
    source, *rest = location or ("",)
    if source == "body" and rest:
        rest = rest[1:]
    names = [str(part) for part in rest if isinstance(part, str)]
    return names[0] if names else NON_FIELD_ERRORS


def _source(error: Mapping[str, Any]) -> str:
    return str(error.get("source") or (error.get("loc") or [""])[0])


class EnvelopeNinjaAPI(NinjaAPI):
    """A NinjaAPI whose input errors carry translated messages naming the field."""

    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext[Any]]
    ) -> NinjaValidationError:
        errors: list[dict[str, Any]] = []
        for context in error_contexts:
            model: Any = context.model
            for error in context.pydantic_validation_error.errors(include_url=False):
                flattened = model.__ninja_flatten_map_reverse__.get(error["loc"], error["loc"])
                location = (model.__ninja_param_source__, *flattened)
                errors.append(
                    {
                        "source": location[0],
                        "field": _input_field(location),
                        "message": _pydantic_message(error),
                    }
                )
        return NinjaValidationError(errors)

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = self._enveloped_method_errors(pattern.callback)
        return urls

    def _enveloped_method_errors(self, view: Callable[..., Any]) -> Callable[..., Any]:
        """Wrap a path's view so that the errors ninja answers itself (a method the path does
        not offer, the bare API root) also get the envelope."""

        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            try:
                response = view(request, *args, **kwargs)
            except Http404:
                return _envelope(self, request, 404, gettext("Not found."))
            if isinstance(response, HttpResponseNotAllowed):
                enveloped = _envelope(
                    self, request, 405, gettext("This method is not allowed here.")
                )
                enveloped["Allow"] = response["Allow"]
                return enveloped
            return response

        return wrapped


def _envelope(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    message: str,
    fields: dict[str, list[str]] | None = None,
) -> HttpResponse:
    body = {
        "error": {
            "status": status,
            "code": CODES.get(status, "error"),
            "message": message,
            "fields": fields or {},
        }
    }
    response = api.create_response(request, body, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def _summary(fields: dict[str, list[str]]) -> str:
    return " ".join(
        message if field == NON_FIELD_ERRORS else f"{field}: {message}"
        for field, messages in fields.items()
        for message in messages
    )


def _validation(api: NinjaAPI, request: HttpRequest, fields: dict[str, list[str]]) -> HttpResponse:
    return _envelope(api, request, 422, _summary(fields) or gettext("Enter a valid value."), fields)


def register_error_handlers(api: NinjaAPI) -> None:
    """Give ``api`` one handler per kind of failure, all answering with the envelope."""

    def not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return _envelope(api, request, 404, gettext("Not found."))

    def forbidden(request: HttpRequest, exc: Any) -> HttpResponse:
        message = getattr(exc, "message", "") or gettext("You do not have permission to do this.")
        return _envelope(api, request, 403, str(message))

    def unauthorized(request: HttpRequest, exc: Any) -> HttpResponse:
        return _envelope(
            api,
            request,
            401,
            gettext(
                "Authentication required: sign in, or send an API token as "
                "“Authorization: Bearer <token>”."
            ),
        )

    def http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        messages = {
            400: gettext("The request body could not be read: send JSON."),
            404: gettext("Not found."),
            405: gettext("This method is not allowed here."),
        }
        return _envelope(api, request, exc.status_code, messages.get(exc.status_code, exc.message))

    def input_error(request: HttpRequest, exc: Any) -> HttpResponse:
        # A malformed id in the path designates nothing: not found, like an unknown id.
        if any(_source(error) == "path" for error in exc.errors):
            return not_found(request, exc)
        fields: dict[str, list[str]] = {}
        for error in exc.errors:
            field = error.get("field") or _input_field(tuple(error.get("loc") or ()))
            fields.setdefault(field, []).append(error.get("message") or _pydantic_message(error))
        return _validation(api, request, fields)

    def service_error(request: HttpRequest, exc: Any) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            fields = {
                INPUT_NAMES.get(name, name): list(messages)
                for name, messages in exc.message_dict.items()
            }
        else:
            fields = {NON_FIELD_ERRORS: list(exc.messages)}
        return _validation(api, request, fields)

    def conflict(request: HttpRequest, exc: Any) -> HttpResponse:
        # Validation checks uniqueness first; a constraint can still fail when two requests
        # write the same value at the same moment.
        return _envelope(
            api,
            request,
            409,
            gettext("This change conflicts with another one made at the same time. Try again."),
        )

    def server_error(request: HttpRequest, exc: Any) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
        return _envelope(
            api, request, 500, gettext("An unexpected error occurred. It has been logged.")
        )

    api.add_exception_handler(Exception, server_error)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(AuthenticationError, unauthorized)
    api.add_exception_handler(NinjaValidationError, input_error)
    api.add_exception_handler(DjangoValidationError, service_error)
    api.add_exception_handler(IntegrityError, conflict)
    api.add_exception_handler(NotFoundError, not_found)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(ForbiddenError, forbidden)
    api.add_exception_handler(PermissionDenied, forbidden)
