"""Microsoft Project's own custom fields: their MSPDI ``FieldID`` numbers, names and kinds.

An MSPDI file names a custom field by its ``FieldID`` (Microsoft Project's property identifier):
``<ExtendedAttribute><FieldID>188743731</FieldID><Value>WP-3</Value></ExtendedAttribute>`` is
the task field Text1. Files from Project 2002 and 2003 often carry values without the
definitions that would name them, so the reader needs this table to give every value a key
(``"Text1"``) and a kind (text). The identifiers are the task, resource and assignment fields
Text1-30, Number1-20, Date1-10, Start1-10, Finish1-10, Duration1-10, Flag1-20, Cost1-10 and the
task and resource OutlineCode1-10 (Microsoft Project has no assignment outline codes).

Examples
--------
>>> builtin_field(188743731)
BuiltinField(owner='task', key='Text1', kind='text', field_id=188743731)
>>> builtin_field_id("resource", "Number3")
205521010
>>> builtin_field_id("assignment", "OutlineCode1") is None
True
"""

from __future__ import annotations

from typing import Final, NamedTuple

from pilotage.interop.document import CustomFieldKind, CustomFieldOwner

__all__ = [
    "CF_TYPE_CODES",
    "ELEMENT_TYPE_CODES",
    "BuiltinField",
    "builtin_field",
    "builtin_field_id",
    "builtin_fields",
    "owner_of_field_id",
]

_BASES: Final[dict[CustomFieldOwner, int]] = {
    "task": 0x0B400000,
    "resource": 0x0C400000,
    "assignment": 0x0F400000,
}

# Offsets from the owner's base, in field number order (Text1, Text2 ...), as Microsoft Project
# numbers its properties: the first fields of each kind come from Project 98, the later ones
# were added in Project 2000 elsewhere in the numbering.
_OFFSETS: Final[dict[CustomFieldOwner, dict[str, tuple[int, ...]]]] = {
    "task": {
        "Text": (51, 54, 57, 60, 63, 66, 67, 68, 69, 70, *range(317, 337)),
        "Number": (87, 88, 89, 90, 91, *range(302, 317)),
        "Date": tuple(range(265, 275)),
        "Start": (52, 55, 58, 61, 64, 282, 284, 286, 288, 290),
        "Finish": (53, 56, 59, 62, 65, 283, 285, 287, 289, 291),
        "Duration": (103, 104, 105, *range(275, 282)),
        "Flag": (*range(72, 82), *range(292, 302)),
        "Cost": (106, 107, 108, *range(258, 265)),
        "OutlineCode": tuple(range(416, 436, 2)),
    },
    "resource": {
        "Text": (8, 9, 30, 31, 32, *range(97, 102), *range(225, 245)),
        "Number": (*range(112, 117), *range(205, 220)),
        "Date": tuple(range(173, 183)),
        "Start": (*range(102, 107), *range(220, 225)),
        "Finish": (*range(107, 112), *range(190, 195)),
        "Duration": (117, 118, 119, *range(183, 190)),
        "Flag": (*range(127, 136), 126, *range(195, 205)),
        "Cost": (123, 124, 125, *range(166, 173)),
        "OutlineCode": tuple(range(278, 298, 2)),
    },
    "assignment": {
        "Text": (*range(88, 98), *range(218, 238)),
        "Number": (*range(108, 113), *range(198, 213)),
        "Date": tuple(range(166, 176)),
        "Start": (*range(98, 103), *range(213, 218)),
        "Finish": (*range(103, 108), *range(183, 188)),
        "Duration": (113, 114, 115, *range(176, 183)),
        "Flag": (*range(123, 132), 122, *range(188, 198)),
        "Cost": (119, 120, 121, *range(159, 166)),
    },
}

_KINDS: Final[dict[str, CustomFieldKind]] = {
    "Text": "text",
    "Number": "number",
    "Date": "date",
    "Start": "start",
    "Finish": "finish",
    "Duration": "duration",
    "Flag": "flag",
    "Cost": "cost",
    "OutlineCode": "outline_code",
}

CF_TYPE_CODES: Final[dict[int, CustomFieldKind]] = {
    0: "cost",
    1: "date",
    2: "duration",
    3: "finish",
    4: "flag",
    5: "number",
    6: "start",
    7: "text",
}
"""MSPDI ``CFType`` codes of custom field definitions (outline codes have none)."""

ELEMENT_TYPE_CODES: Final[dict[int, CustomFieldOwner]] = {
    20: "task",
    21: "resource",
    23: "assignment",
}
"""MSPDI ``ElemType`` codes of custom field definitions."""


class BuiltinField(NamedTuple):
    """One of Microsoft Project's own custom fields."""

    owner: CustomFieldOwner
    key: str
    kind: CustomFieldKind
    field_id: int


def _table() -> tuple[dict[int, BuiltinField], dict[tuple[CustomFieldOwner, str], BuiltinField]]:
    by_id: dict[int, BuiltinField] = {}
    by_key: dict[tuple[CustomFieldOwner, str], BuiltinField] = {}
    for owner, families in _OFFSETS.items():
        for family, offsets in families.items():
            for number, offset in enumerate(offsets, start=1):
                field = BuiltinField(
                    owner, f"{family}{number}", _KINDS[family], _BASES[owner] + offset
                )
                by_id[field.field_id] = field
                by_key[owner, field.key] = field
    return by_id, by_key


_BY_ID, _BY_KEY = _table()


def builtin_field(field_id: int) -> BuiltinField | None:
    """The Microsoft Project field with this ``FieldID``, None for another identifier.

    Parameters
    ----------
    field_id : int
        The MSPDI ``FieldID``.

    Returns
    -------
    BuiltinField or None
        Its owner, key and kind.

    Examples
    --------
    >>> builtin_field(205520904).key, builtin_field(205520904).owner
    ('Text1', 'resource')
    >>> builtin_field(190873600) is None
    True
    """
    return _BY_ID.get(field_id)


def builtin_field_id(owner: CustomFieldOwner, key: str) -> int | None:
    """The ``FieldID`` of a Microsoft Project field by owner and key, None if there is none.

    Parameters
    ----------
    owner : {"task", "resource", "assignment"}
        What the field belongs to.
    key : str
        ``"Text1"``, ``"Flag20"``, ``"OutlineCode3"`` ...

    Returns
    -------
    int or None
        The identifier.

    Examples
    --------
    >>> builtin_field_id("task", "Flag1"), builtin_field_id("task", "Story points")
    (188743752, None)
    """
    field = _BY_KEY.get((owner, key))
    return field.field_id if field is not None else None


def builtin_fields(owner: CustomFieldOwner, kind: CustomFieldKind) -> tuple[BuiltinField, ...]:
    """Microsoft Project's fields of one kind for one owner, in number order.

    Examples
    --------
    >>> [field.key for field in builtin_fields("task", "cost")][:3]
    ['Cost1', 'Cost2', 'Cost3']
    >>> builtin_fields("assignment", "outline_code")
    ()
    """
    return tuple(
        field
        for (field_owner, _), field in _BY_KEY.items()
        if field_owner == owner and field.kind == kind
    )


def owner_of_field_id(field_id: int) -> CustomFieldOwner | None:
    """Whose field an identifier is, from its range (also for enterprise fields).

    Examples
    --------
    >>> owner_of_field_id(188743731), owner_of_field_id(205520904), owner_of_field_id(7)
    ('task', 'resource', None)
    """
    for owner, base in _BASES.items():
        if base <= field_id < base + 0x400000:
            return owner
    return None
