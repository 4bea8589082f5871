"""Domain-free pieces shared by every app's API router: input rules, pagination, errors, history."""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Field, Schema
from pydantic import ConfigDict, ValidationInfo, create_model, field_validator
from pydantic_core import PydanticCustomError

from pilotage.core import audit
from pilotage.core.errors import NotFoundError
from pilotage.core.models import HistoryEntry

T = TypeVar("T")
InputT = TypeVar("InputT", bound="InputSchema")

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class ApiRequest(HttpRequest):
    """A request that passed the API's authentication: ``auth`` is the calling user."""

    auth: Any


# Errors -------------------------------------------------------------------------------------


class ErrorDetail(Schema):
    status: int = Field(..., description="The HTTP status code, repeated.")
    code: str = Field(
        ...,
        description=(
            "A stable machine-readable code: unauthorized, forbidden, not_found, "
            "validation_error, bad_request, method_not_allowed, conflict, server_error."
        ),
    )
    message: str = Field(..., description="A sentence for people, in the request's language.")
    fields: dict[str, list[str]] = Field(
        default_factory=dict,
        description="For validation errors: the problems of each input field by field name "
        "(`__all__` for those about several fields).",
    )


class ErrorOut(Schema):
    """Every error response of the API has this shape."""

    error: ErrorDetail


ERROR_STATUSES = frozenset({400, 401, 403, 404, 422})


def responses(status: int, schema: Any) -> dict[Any, Any]:
    """The response declaration of an operation: its success schema and the error envelope."""
    return {status: schema, ERROR_STATUSES: ErrorOut}


# Input --------------------------------------------------------------------------------------


def _accepts_none(annotation: Any) -> bool:
    if annotation is Any or annotation is None or annotation is type(None):
        return True
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _accepts_none(typing.get_args(annotation)[0])
    if origin is typing.Union or origin is types.UnionType:
        return any(_accepts_none(arg) for arg in typing.get_args(annotation))
    return False


class InputSchema(Schema):
    """A request body: unknown fields are refused and ``null`` only where a field may be empty."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True)

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_null(cls, value: Any, info: ValidationInfo) -> Any:
        field = info.field_name
        if (
            value is None
            and field is not None
            and not _accepts_none(cls.model_fields[field].annotation)
        ):
            raise PydanticCustomError("null_not_allowed", "This field cannot be null.")
        return value

    def sent(self) -> dict[str, Any]:
        """The fields present in the request, with their values (for partial updates)."""
        return self.model_dump(exclude_unset=True)


def patch_schema(schema: type[InputT], name: str) -> type[InputT]:
    """The same fields as ``schema``, all optional: a PATCH changes only the fields it sends.

    Fields keep their types and constraints, so ``null`` is still refused where ``schema``
    refuses it.
    """
    definitions: dict[str, Any] = {}
    for field_name, info in schema.model_fields.items():
        annotation: Any = info.annotation
        if info.metadata:
            annotation = typing.Annotated[(annotation, *info.metadata)]
        definitions[field_name] = (
            annotation,
            Field(None, description=info.description, json_schema_extra=_without_default),
        )
    patched: type[InputT] = create_model(
        name,
        __base__=schema,
        __doc__=f"Any subset of the fields of {schema.__name__}.",
        **definitions,
    )
    return patched


def _without_default(field_schema: dict[str, Any]) -> None:
    # An absent field is left unchanged, which "default: null" would misdescribe.
    field_schema.pop("default", None)


Getter = Callable[[Any], Any]


def resolve_references(
    data: Mapping[str, Any], references: Mapping[str, tuple[str, Getter]]
) -> dict[str, Any]:
    """Replace the ids in ``data`` by the objects they designate, ready for a service.

    ``references`` maps an input name (``portfolio_id``, ``objective_ids``) to the service's
    argument name and a getter that returns the object the caller may see or raises
    :class:`NotFoundError`. An id the caller may not see is reported on its field, exactly like
    an id that does not exist.
    """
    resolved: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for key, value in data.items():
        if key not in references:
            resolved[key] = value
            continue
        target, getter = references[key]
        try:
            if isinstance(value, list | tuple):
                resolved[target] = [getter(pk) for pk in value]
            else:
                resolved[target] = None if value is None else getter(value)
        except NotFoundError:
            errors[key] = [
                gettext("Select a valid choice. That choice is not one of the available choices.")
            ]
    if errors:
        raise ValidationError(errors)
    return resolved


# Pagination ---------------------------------------------------------------------------------


class PageParams(Schema):
    limit: int = Field(
        DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"How many items (at most {MAX_LIMIT})."
    )
    offset: int = Field(0, ge=0, description="How many items to skip.")


class Page(Schema, Generic[T]):
    """One page of a list: ``count`` is the size of the whole filtered list."""

    count: int
    limit: int
    offset: int
    items: list[T]


def paginate(items: models.QuerySet[Any] | Sequence[Any], page: PageParams) -> dict[str, Any]:
    """Cut one page out of ``items`` (two queries for a queryset: the count and the page)."""
    count = items.count() if isinstance(items, models.QuerySet) else len(items)
    return {
        "count": count,
        "limit": page.limit,
        "offset": page.offset,
        "items": list(items[page.offset : page.offset + page.limit]),
    }


# Nested references --------------------------------------------------------------------------


class Ref(Schema):
    """A short reference to a coded object (portfolio, programme, project ...)."""

    id: int
    code: str
    name: str


# History ------------------------------------------------------------------------------------


class HistoryActor(Schema):
    id: int | None = Field(None, description="Null once the user has been deleted.")
    username: str


class HistoryChange(Schema):
    field: str
    old: Any = Field(None, description="The stored value before the change.")
    new: Any = Field(None, description="The stored value after the change.")
    old_text: str | None = Field(None, description="How the old value reads, for relations.")
    new_text: str | None = Field(None, description="How the new value reads, for relations.")


class HistoryEntryOut(Schema):
    id: int
    when: dt.datetime
    actor: HistoryActor | None = Field(
        None, description="Who made the change; null for changes made by the system."
    )
    action: str = Field(..., description="created, updated or deleted.")
    object: str = Field(..., description="How the object read at the time.")
    changes: list[HistoryChange]

    @staticmethod
    def resolve_when(entry: HistoryEntry) -> dt.datetime:
        return entry.occurred_at

    @staticmethod
    def resolve_object(entry: HistoryEntry) -> str:
        return entry.object_repr

    @staticmethod
    def resolve_actor(entry: HistoryEntry) -> dict[str, Any] | None:
        if not entry.actor_name:
            return None
        return {"id": entry.actor_id, "username": entry.actor_name}


class PastStateOut(Schema):
    as_of: dt.datetime
    exists: bool = Field(..., description="Whether the object existed at that moment.")
    values: dict[str, Any] | None = Field(
        None, description="Its field values then (relations as their names)."
    )
    entry: HistoryEntryOut | None = Field(
        None, description="The last recorded change up to that moment."
    )


def history_page(instance: models.Model, page: PageParams) -> dict[str, Any]:
    """One page of the recorded changes of ``instance``, newest first."""
    return paginate(audit.history_for(instance), page)


@contextmanager
def input_names(names: Mapping[str, str]) -> Iterator[None]:
    """Report a service's validation errors under the names of the API's input fields
    (``names`` maps a model field, such as ``owner``, to its input, ``owner_id``)."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        fields: dict[str, list[str]] = {}
        for name, messages in error.message_dict.items():
            fields.setdefault(names.get(name, name), []).extend(messages)
        raise ValidationError(fields) from error


def parse_moment(value: str, *, field: str) -> dt.datetime:
    """Read an ISO date-time, or an ISO date meaning the end of that day in the current zone."""
    text = value.strip()
    try:
        moment = dt.datetime.combine(dt.date.fromisoformat(text), dt.time.max)
    except ValueError:
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError as exc:
            raise ValidationError(
                {field: [gettext("Enter a valid date or date/time (ISO 8601).")]}
            ) from exc
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def past_state(model: type[models.Model], pk: Any, when: dt.datetime) -> dict[str, Any]:
    """What the object ``pk`` of ``model`` looked like at ``when``, for :class:`PastStateOut`."""
    state = audit.state_as_of(model, pk, when)
    return {
        "as_of": state.as_of,
        "exists": state.values is not None,
        "values": state.values,
        "entry": state.entry,
    }
