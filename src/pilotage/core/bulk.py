"""Insert and update many rows with one prepared statement each, for imports of whole plans.

Django's ``bulk_create`` builds its SQL again for every batch, and SQLite's limit on query
parameters makes a batch about 25 rows of a wide table: 10,000 tasks take seconds. A prepared
``INSERT`` run once per row by the driver (``executemany``) takes a fraction of that. Values go
through each field's own conversion for the database, as Django would convert them; what
``bulk_create`` would also do (``save()`` is not called either way) is not needed here: the
rows are built and validated by the caller.

Values are converted a column at a time: the values the drivers take as they are (text,
numbers, booleans, keys) are passed through without a call per value, which is most of what
converting 40,000 rows of an import costs otherwise.
"""

from __future__ import annotations

import datetime as dt
import gc
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connections, models, router

__all__ = ["collection_paused", "insert_rows", "insert_values", "update_rows"]


# Fields whose Python values the database drivers take as they are (sqlite3 and psycopg both
# adapt str, int, float and bool).
_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.FloatField,
    models.ForeignKey,
)
_PLAIN_VALUES = frozenset({str, int, float, bool})
_UNKNOWN = object()


def _converted(field: Any, connection: Any, values: Iterable[Any]) -> list[Any]:
    """A column of values as the database takes them, through the field when needed."""
    prepare = field.get_db_prep_save
    if isinstance(field, _PLAIN_FIELDS):
        plain = _PLAIN_VALUES
        return [
            value if value is None or type(value) in plain else prepare(value, connection)
            for value in values
        ]
    # Moments repeat (a plan's tasks start on the same mornings, a time stamp is one moment
    # for all the rows): each is converted once. The key tells apart what equality does not
    # (the same instant in two time zones, the two readings of an hour repeated by a clock
    # change).
    known: dict[tuple[Any, ...], Any] = {}
    result: list[Any] = []
    for value in values:
        if type(value) is dt.datetime:
            key = (value, value.tzinfo, value.fold)
            converted = known.get(key, _UNKNOWN)
            if converted is _UNKNOWN:
                converted = known[key] = prepare(value, connection)
            result.append(converted)
        else:
            result.append(None if value is None else prepare(value, connection))
    return result


def _insertable_fields(model: type[models.Model]) -> list[Any]:
    return [
        field
        for field in model._meta.concrete_fields
        if not (field.primary_key and isinstance(field, models.AutoField | models.BigAutoField))
    ]


def _stamped(field: Any) -> bool:
    return bool(getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False))


def _insert(model: type[models.Model], fields: Sequence[Any], columns: Sequence[list[Any]]) -> None:
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    names = ", ".join(quote(field.column) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    # Table and column names come from the model, never from input.
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608
    converted = [
        _converted(field, connection, column) for field, column in zip(fields, columns, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, list(zip(*converted, strict=True)))


def insert_rows(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """Insert the objects (their primary keys are not set on them: read the rows back when
    they are needed). ``auto_now``/``auto_now_add`` fields are filled in, with one moment for
    all the rows."""
    if not objects:
        return
    fields = _insertable_fields(model)
    for field in fields:
        if _stamped(field):
            moment = field.pre_save(objects[0], True)
            for instance in objects:
                setattr(instance, field.attname, moment)
    columns = [[instance.__dict__[field.attname] for instance in objects] for field in fields]
    _insert(model, fields, columns)


def insert_values(
    model: type[models.Model], names: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert rows given as the values of the named fields, without building model instances.

    ``names`` are attribute names (``task_id`` for a foreign key); the other fields take their
    default, ``auto_now``/``auto_now_add`` fields the current moment (one for all the rows).
    """
    if not rows:
        return
    fields = _insertable_fields(model)
    position = {name: index for index, name in enumerate(names)}
    unknown = set(names) - {field.attname for field in fields}
    if unknown:
        raise ValueError(f"{model.__name__} has no field {', '.join(sorted(unknown))}")
    probe = model()
    columns: list[list[Any]] = []
    for field in fields:
        index = position.get(field.attname)
        if index is not None:
            columns.append([row[index] for row in rows])
        else:
            value = field.pre_save(probe, True) if _stamped(field) else field.get_default()
            columns.append([value] * len(rows))
    _insert(model, fields, columns)


def update_rows(
    model: type[models.Model], objects: Sequence[models.Model], names: Sequence[str]
) -> None:
    """Save some fields of many objects with one prepared ``UPDATE`` run for every row."""
    if not objects:
        return
    fields: list[Any] = [model._meta.get_field(name) for name in names]
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    # Table and column names come from the model, never from input.
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote('id')} = %s"  # noqa: S608
    columns = [
        _converted(field, connection, [getattr(instance, field.attname) for instance in objects])
        for field in fields
    ]
    columns.append([instance.pk for instance in objects])
    with connection.cursor() as cursor:
        cursor.executemany(sql, list(zip(*columns, strict=True)))


class _Pauses:
    """How many blocks pause the garbage collector, and whether it was on before the first."""

    lock = threading.Lock()
    count = 0
    resume = False


@contextmanager
def collection_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector during a bulk operation (an import, an export).

    Such an operation allocates hundreds of thousands of objects that stay alive until it ends
    (a file's document, the rows, the engine's plan). Each full collection triggered meanwhile
    walks every live object of the process and frees nothing: with a 10,000-task plan that was
    a third of an import's or an export's time. Reference counting still frees everything else
    at once; reference cycles made meanwhile wait for the first collection after the block.

    The collector is process-wide: nested and concurrent blocks turn it back on when the last
    one ends, and only if it was on before the first one began.
    """
    with _Pauses.lock:
        if _Pauses.count == 0:
            _Pauses.resume = gc.isenabled()
            gc.disable()
        _Pauses.count += 1
    try:
        yield
    finally:
        with _Pauses.lock:
            _Pauses.count -= 1
            if _Pauses.count == 0 and _Pauses.resume:
                gc.enable()
