"""The free-text search of list pages: a row matches when one of its fields contains the text."""

from __future__ import annotations

import operator
from collections.abc import Iterable
from functools import reduce
from typing import TypeVar

from django.db.models import Model, Q, QuerySet

ModelT = TypeVar("ModelT", bound=Model)


def search_filter(queryset: QuerySet[ModelT], text: str, fields: Iterable[str]) -> QuerySet[ModelT]:
    """The rows of ``queryset`` one of whose ``fields`` contains ``text`` (any case); all of
    them when ``text`` is empty."""
    if not text:
        return queryset
    return queryset.filter(
        reduce(operator.or_, (Q(**{f"{name}__icontains": text}) for name in fields))
    )
