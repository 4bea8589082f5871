"""Read a Trello board exported as JSON (*Menu > Print, export and share > Export as JSON*).

What becomes what
-----------------
- Each open list is a summary task, in the board's order (``pos``); the open cards of the
  list are its tasks, in their order. A list without open cards is not imported (said in a
  warning). Archived cards and the cards of archived lists are not imported either; one warning
  counts them.
- A card: its name, its description as notes, its link as hyperlink. Its due date is a
  deadline; its start date (when the board uses start dates) a *start no earlier than*
  constraint, and with both the task lasts the working days from the start to the due date;
  otherwise one day, estimated (a card is work, never a milestone, even with a due date
  only). A card marked complete (``dueComplete``) is 100 % complete, and
  so are the cards of a list named like "Done", "Terminé" (said in a warning). Trello records
  no actual dates: progress is dated from the card's creation (read from its identifier) and
  its last activity.
- Checklists: the items of a card's checklists are its subtasks (the card becomes a summary
  task); with several checklists, each checklist is a summary task between the card and its
  items. A complete item is 100 % complete; an item's own member and due date are kept.
- Members are resources (full name, username as code, initials) assigned to their cards at
  100 %; when a card has checklist items, the card's members are assigned to the items that
  have no member of their own.
- Labels become the custom field "Labels" (their names, or colours when unnamed), the
  board's custom fields (text, number, date, checkbox, list) custom fields of the same name.

Trello writes instants in UTC (``2019-04-02T21:30:00.000Z``); they are kept as written,
without a time-zone conversion, like every date Pilotage reads.

Examples
--------
>>> import json
>>> board = {"name": "Launch", "lists": [{"id": "l1", "name": "To do", "pos": 1}],
...     "cards": [{"id": "5ca487bc3380cc39f3ce59ec", "name": "Brief the press",
...                "idList": "l1", "pos": 1, "due": "2026-03-06T16:00:00.000Z"}]}
>>> document = read_trello_json(json.dumps(board).encode(), name="board.json")
>>> [(task.name, task.summary, task.deadline) for task in document.plan.tasks]
[('To do', True, None), ('Brief the press', False, datetime.datetime(2026, 3, 6, 16, 0))]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from pilotage.interop.document import CustomFieldKind, CustomValueData, ProjectDocument
from pilotage.interop.errors import PlanFileError
from pilotage.interop.tracker import (
    DocumentBuilder,
    Item,
    Person,
    as_dict,
    as_dicts,
    as_list,
    as_text,
    at_day_finish,
    at_day_start,
    file_stem,
    fold,
    load_json,
    parse_moment,
    parse_number,
    working_days,
)

__all__ = ["read_trello_json"]

LABELS: Final = "Labels"

_DONE_LISTS: Final = frozenset(
    {
        "done",
        "complete",
        "completed",
        "finished",
        "closed",
        "termine",
        "terminee",
        "termines",
        "terminees",
        "fait",
        "fini",
        "finis",
    }
)
_FIELD_KINDS: Final[Mapping[str, CustomFieldKind]] = {
    "text": "text",
    "number": "number",
    "date": "date",
    "checkbox": "flag",
    "list": "text",
}


@dataclass
class _CustomField:
    key: str
    kind: CustomFieldKind
    options: dict[str, str] = field(default_factory=dict)


class _Board:
    """The board's lookups and the builder."""

    def __init__(self, payload: Mapping[str, Any], name: str) -> None:
        self.file = name
        board_name = as_text(payload.get("name"))
        self.builder = DocumentBuilder("trello-json", name=board_name or file_stem(name))
        self.builder.field(LABELS)
        self.members: dict[str, Person] = {}
        for member in as_dicts(payload.get("members")):
            member_id = as_text(member.get("id"))
            full_name = as_text(member.get("fullName"))
            username = as_text(member.get("username"))
            if member_id and (full_name or username):
                self.members[member_id] = Person(
                    full_name or username,
                    code=username,
                    initials=as_text(member.get("initials")),
                )
        self.labels = {
            as_text(label.get("id")): _label_name(label)
            for label in as_dicts(payload.get("labels"))
        }
        self.fields: dict[str, _CustomField] = {}
        for definition in as_dicts(payload.get("customFields")):
            field_id, field_name = as_text(definition.get("id")), as_text(definition.get("name"))
            kind = _FIELD_KINDS.get(as_text(definition.get("type")))
            if not field_id or not field_name or kind is None:
                continue
            key = field_name if fold(field_name) != fold(LABELS) else f"{field_name} (field)"
            options = {
                as_text(option.get("id")): as_text(as_dict(option.get("value")).get("text"))
                for option in as_dicts(definition.get("options"))
            }
            self.fields[field_id] = _CustomField(self.builder.field(key, kind), kind, options)

    def people(self, member_ids: Any, where: str) -> list[Person]:
        people = []
        for member_id in as_list(member_ids):
            person = self.members.get(as_text(member_id))
            if person is None:
                self.builder.warn_once(
                    f"member:{member_id}",
                    f"{where}: the member {as_text(member_id)!r} is not among the board's members; "
                    "they were not assigned.",
                )
            else:
                people.append(person)
        return people

    def moment(self, value: Any, label: str, where: str) -> tuple[datetime, bool] | None:
        text = as_text(value)
        try:
            return parse_moment(text)
        except ValueError:
            self.builder.warn(f"{where}: the {label} {text!r} is not a date; it was ignored.")
            return None

    def custom_values(self, card: Mapping[str, Any], item: Item, where: str) -> None:
        for entry in as_dicts(card.get("customFieldItems")):
            definition = self.fields.get(as_text(entry.get("idCustomField")))
            if definition is None:
                continue
            value = self._custom_value(definition, entry, where)
            if value is not None:
                item.custom[definition.key] = value

    def _custom_value(
        self, definition: _CustomField, entry: Mapping[str, Any], where: str
    ) -> CustomValueData | None:
        if definition.options:
            text = definition.options.get(as_text(entry.get("idValue")), "")
            return text or None
        raw = as_dict(entry.get("value"))
        if definition.kind == "flag":
            return as_text(raw.get("checked")).casefold() == "true"
        if definition.kind == "number":
            try:
                return parse_number(as_text(raw.get("number")))
            except ValueError:
                self.builder.warn(
                    f"{where}: {definition.key} {as_text(raw.get('number'))!r} is not a number; "
                    "it was ignored."
                )
                return None
        if definition.kind == "date":
            moment = self.moment(raw.get("date"), definition.key, where)
            return None if moment is None else moment[0]
        return as_text(raw.get("text")) or None


def read_trello_json(data: bytes, *, name: str) -> ProjectDocument:
    """Read a Trello board's JSON export into a project document (format ``"trello-json"``).

    Parameters
    ----------
    data : bytes
        The file's content.
    name : str
        The file's name, for messages (the plan takes the board's name).

    Returns
    -------
    ProjectDocument
        Lists as summary tasks, open cards as tasks, checklist items as subtasks, members as
        resources.

    Raises
    ------
    PlanFileError
        If the file is not JSON or not a board export (no ``cards`` and ``lists``).

    Examples
    --------
    >>> read_trello_json(b'{"cards": []}', name="board.json")
    Traceback (most recent call last):
    ...
    pilotage.interop.errors.PlanFileError: board.json: this is not a Trello board export: it \
has no 'cards' and 'lists'
    """
    payload = load_json(data, name=name)
    if not (
        isinstance(payload, dict)
        and isinstance(payload.get("cards"), list)
        and isinstance(payload.get("lists"), list)
    ):
        raise PlanFileError(
            name, "this is not a Trello board export: it has no 'cards' and 'lists'"
        )
    board = _Board(payload, name)
    warn = board.builder.warn
    lists = {as_text(one.get("id")): one for one in as_dicts(payload["lists"])}
    open_lists = sorted(
        (one for one in lists.values() if not one.get("closed")), key=lambda one: _pos(one)
    )
    checklists: dict[str, list[dict[str, Any]]] = {}
    for checklist in sorted(as_dicts(payload.get("checklists")), key=_pos):
        checklists.setdefault(as_text(checklist.get("idCard")), []).append(checklist)
    cards_by_list: dict[str, list[dict[str, Any]]] = {}
    archived = 0
    orphans: list[dict[str, Any]] = []
    for card in sorted(as_dicts(payload["cards"]), key=_pos):
        list_id = as_text(card.get("idList"))
        holder = lists.get(list_id)
        if card.get("closed") or (holder is not None and holder.get("closed")):
            archived += 1
        elif holder is None:
            orphans.append(card)
        else:
            cards_by_list.setdefault(list_id, []).append(card)
    empty_lists = []
    done_lists = []
    for trello_list in open_lists:
        list_id = as_text(trello_list.get("id"))
        list_name = as_text(trello_list.get("name")) or "(unnamed list)"
        cards = cards_by_list.get(list_id, [])
        if not cards:
            empty_lists.append(list_name)
            continue
        done = fold(list_name) in _DONE_LISTS
        if done:
            done_lists.append(list_name)
        parent = board.builder.add(Item(ref=f"List {list_name!r}", name=list_name))
        for card in cards:
            _card(board, card, parent, done, checklists.get(as_text(card.get("id")), []))
    for card in orphans:
        warn(
            f"Card {as_text(card.get('name'))!r}: its list {as_text(card.get('idList'))!r} is "
            "not on the board; the card was placed at the top level."
        )
        _card(board, card, None, False, checklists.get(as_text(card.get("id")), []))
    if archived:
        warn(
            f"{archived} archived {'card was' if archived == 1 else 'cards were'} not imported "
            "(archived cards, or cards of archived lists)."
        )
    if empty_lists:
        warn(f"Lists without open cards were not imported: {', '.join(map(repr, empty_lists))}.")
    for list_name in done_lists:
        warn(f"The cards of the list {list_name!r} were taken as 100 % complete.")
    return board.builder.build()


def _card(
    board: _Board,
    card: Mapping[str, Any],
    parent: Item | None,
    done: bool,
    checklists: list[dict[str, Any]],
) -> None:
    card_name = as_text(card.get("name")) or "(unnamed card)"
    where = f"Card {card_name!r}"
    item = board.builder.add(
        Item(
            ref=f"card {card_name!r}",
            name=card_name,
            parent=parent,
            notes=as_text(card.get("desc")),
            hyperlink_address=as_text(card.get("url")) or as_text(card.get("shortUrl")),
            percent=100.0 if done or card.get("dueComplete") is True else 0.0,
            created=_created(card.get("id")),
        )
    )
    activity = board.moment(card.get("dateLastActivity"), "last activity", where)
    item.updated = None if activity is None else activity[0]
    due = board.moment(card.get("due"), "due date", where)
    start = board.moment(card.get("start"), "start date", where)
    item.deadline = None if due is None else at_day_finish(due)
    item.start = None if start is None else at_day_start(start)
    if start is not None and due is not None:
        days = working_days(start[0].date(), due[0].date())
        if days > 0:
            item.duration_minutes = days * board.builder.minutes_per_day
        else:
            board.builder.warn(
                f"{where}: the due date is before the start date; the card lasts 1 day."
            )
    labels = [_label_name(label) for label in as_dicts(card.get("labels"))]
    if not labels:
        labels = [board.labels.get(as_text(one), "") for one in as_list(card.get("idLabels"))]
    label_text = ", ".join(dict.fromkeys(label for label in labels if label))
    if label_text:
        item.custom[LABELS] = label_text
    board.custom_values(card, item, where)
    members = board.people(card.get("idMembers"), where)
    entries = [
        (checklist, check_items)
        for checklist in checklists
        for check_items in [sorted(as_dicts(checklist.get("checkItems")), key=_pos)]
        if check_items
    ]
    if not entries:
        item.people = members
        return
    for checklist, check_items in entries:
        holder = item
        if len(entries) > 1:
            checklist_name = as_text(checklist.get("name")) or "Checklist"
            holder = board.builder.add(
                Item(
                    ref=f"checklist {checklist_name!r} of card {card_name!r}",
                    name=checklist_name,
                    parent=item,
                )
            )
        for check_item in check_items:
            _check_item(board, check_item, holder, item, members, card_name)


def _check_item(
    board: _Board,
    check_item: Mapping[str, Any],
    holder: Item,
    card: Item,
    members: list[Person],
    card_name: str,
) -> None:
    item_name = as_text(check_item.get("name")) or "(unnamed item)"
    where = f"Checklist item {item_name!r} of card {card_name!r}"
    complete = as_text(check_item.get("state")) == "complete"
    item = board.builder.add(
        Item(
            ref=f"item {item_name!r} of card {card_name!r}",
            name=item_name,
            parent=holder,
            percent=100.0 if complete or card.percent >= 100 else 0.0,
            created=_created(check_item.get("id")) or card.created,
            updated=card.updated,
        )
    )
    due = board.moment(check_item.get("due"), "due date", where)
    item.deadline = None if due is None else at_day_finish(due)
    own = board.people([check_item["idMember"]], where) if check_item.get("idMember") else []
    item.people = own or list(members)


def _created(identifier: Any) -> datetime | None:
    """When a Trello object was created: the first 8 hex digits of its id are a Unix time."""
    text = as_text(identifier)
    if len(text) != 24:
        return None
    try:
        seconds = int(text[:8], 16)
    except ValueError:
        return None
    return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None, second=0)


def _label_name(label: Mapping[str, Any]) -> str:
    return as_text(label.get("name")) or as_text(label.get("color"))


def _pos(value: Mapping[str, Any]) -> float:
    position = value.get("pos")
    if isinstance(position, int | float) and not isinstance(position, bool):
        return float(position)
    if isinstance(position, str):
        try:
            return float(position)
        except ValueError:
            return 0.0
    return 0.0
