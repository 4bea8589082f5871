"""Insert and update many rows with one prepared statement each, for imports of whole plans.

Django's ``bulk_create`` builds its SQL again for every batch, and SQLite's limit on query
parameters makes a batch about 25 rows of a wide table: 10,000 tasks take seconds. A prepared
``INSERT`` run once per row by the driver (``executemany``) takes a fraction of that. Values go
through each field's own conversion for the database, as Django would convert them; what
``bulk_create`` would also do (``save()`` is not called either way) is not needed here: the
rows are built and validated by the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections, models, router

__all__ = ["insert_rows", "update_rows"]


# Fields whose Python values the database drivers take as they are (sqlite3 and psycopg both
# adapt str, int, float and bool): converting them through Django is most of an import's time.
_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.FloatField,
    models.ForeignKey,
)
_PLAIN_VALUES = (str, int, float, bool)


def _converter(field: Any, connection: Any) -> Any:
    """A function giving a value as the database takes it, through the field when needed."""
    plain = isinstance(field, _PLAIN_FIELDS)

    def convert(value: Any) -> Any:
        if value is None:
            return None
        if plain and type(value) in _PLAIN_VALUES:
            return value
        return field.get_db_prep_save(value, connection)

    return convert


def _concrete_fields(model: type[models.Model]) -> list[Any]:
    return [
        field
        for field in model._meta.concrete_fields
        if not (field.primary_key and isinstance(field, models.AutoField | models.BigAutoField))
    ]


def insert_rows(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """Insert the objects (their primary keys are not set on them: read the rows back when
    they are needed). ``auto_now``/``auto_now_add`` fields are filled in."""
    if not objects:
        return
    fields = _concrete_fields(model)
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    # Table and column names come from the model, never from input.
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    stamped = [
        field
        for field in fields
        if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False)
    ]
    converters = [(field.attname, _converter(field, connection)) for field in fields]
    rows = []
    for instance in objects:
        for field in stamped:
            field.pre_save(instance, True)
        values = instance.__dict__
        rows.append([convert(values[name]) for name, convert in converters])
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


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
    rows = [
        [field.get_db_prep_save(getattr(instance, field.attname), connection) for field in fields]
        + [instance.pk]
        for instance in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
